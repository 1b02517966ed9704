package io.tideline.runtime;

import io.tideline.api.Position;

/**
 * What an operator worker may still emit: nothing below {@code position} while it holds a record (the record itself
 * goes to one writer per sink only), nothing at or below it while it holds a barrier (what follows a barrier is after
 * its end). Published by the worker, read by the sink writers that merge its output with the other workers'.
 */
record Bound(Position position, boolean barrier) {

    static Bound of(Object item) {
        if (item instanceof Barrier b) return new Bound(b.end(), true);
        return new Bound(((Envelope) item).event().position(), false);
    }

    /**
     * Whether a record at {@code candidate} is before anything the worker may still emit. A barrier without an end
     * closed an epoch before the first change of a fresh start: the worker's next change may be any position, so
     * it admits nothing. (Admitting everything let a writer take another worker's later change while this worker,
     * having passed the barrier on, had not yet taken its first one: a writer then saw 1000/0 after 1000/2.)
     */
    boolean admits(Position candidate) {
        if (position == null) return false;
        return barrier ? candidate.isAtOrBefore(position) : candidate.compareTo(position) < 0;
    }
}
