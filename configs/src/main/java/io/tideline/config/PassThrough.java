package io.tideline.config;

/** A prefix whose properties go verbatim, prefix stripped, to the library underneath. */
public record PassThrough(String prefix, String target, String doc) {
}
