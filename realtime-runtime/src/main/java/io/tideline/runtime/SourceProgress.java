package io.tideline.runtime;

import io.tideline.api.Position;

/** The position of the last change the source stage handed to an operator worker; published after the hand-off. */
final class SourceProgress {

    private volatile Position last;
    private Parker[] waiting = new Parker[0];

    /** The sink workers to wake when the source hands off a change (set before the pipeline starts). */
    void notify(Parker[] parkers) {
        this.waiting = parkers;
    }

    void handedOff(Position position) {
        last = position;
        for (Parker p : waiting) p.wake();
    }

    Position last() {
        return last;
    }
}
