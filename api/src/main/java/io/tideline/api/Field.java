package io.tideline.api;

/** A named, typed field of a {@link FieldType.Kind#STRUCT}. */
public record Field(String name, FieldType type) {
}
