package io.tideline.runtime;

/** Unwinds a worker blocked on a full queue when its attempt is aborted; not a failure of its own. */
final class AbortedException extends RuntimeException {

    AbortedException() {
        super("pipeline attempt aborted", null, false, false);
    }
}
