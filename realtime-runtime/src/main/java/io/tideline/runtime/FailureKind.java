package io.tideline.runtime;

/**
 * How the runtime treats a failed attempt. The runtime cannot tell a database restart from a wrong password (it
 * sees neither JDBC nor Kafka classes); whoever wires it in classifies (see {@link EpochRuntime.Builder#failureKinds}).
 */
public enum FailureKind {
    /** An outage that ends by itself (connection refused or reset, timeouts, leader not available): retried for ever. */
    TRANSIENT,
    /** Retrying cannot help (authentication, a missing table or slot, an incompatible change): stops at once. */
    PERMANENT,
    /** Neither known: retried up to the runtime's maximum of consecutive failures. */
    UNKNOWN
}
