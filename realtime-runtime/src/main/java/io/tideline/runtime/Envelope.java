package io.tideline.runtime;

import io.tideline.api.ChangeEvent;

/** A record in flight: the change, the epoch the source stamped on it and when the source handed it over. */
record Envelope(ChangeEvent event, long epoch, long handoffNanos) {

    Envelope withEvent(ChangeEvent changed) {
        return new Envelope(changed, epoch, handoffNanos);
    }
}
