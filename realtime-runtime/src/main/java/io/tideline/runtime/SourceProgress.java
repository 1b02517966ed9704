package io.tideline.runtime;

import io.tideline.api.Position;

/** The position of the last change the source stage handed to an operator worker; published after the hand-off. */
final class SourceProgress {

    private volatile Position last;

    void handedOff(Position position) {
        last = position;
    }

    Position last() {
        return last;
    }
}
