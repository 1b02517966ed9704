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

    /** Whether a record at {@code candidate} is before anything the worker may still emit. */
    boolean admits(Position candidate) {
        if (position == null) return true; // a barrier of an epoch with no records at all
        return barrier ? candidate.isAtOrBefore(position) : candidate.compareTo(position) < 0;
    }
}
