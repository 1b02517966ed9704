package io.tideline.daemon.wiring;

import io.tideline.api.ChangeSource;
import io.tideline.api.Position;

/**
 * A source that stops at the {@code committed} {@link PausePoints} (the epoch is in the ledger, the source not yet
 * acknowledged) and at {@code acknowledged} (right after the source acknowledged it).
 */
final class PausingSource implements ChangeSource {

    private final ChangeSource delegate;
    private final PausePoints points;

    PausingSource(ChangeSource delegate, PausePoints points) {
        this.delegate = delegate;
        this.points = points;
    }

    @Override
    public void run(ChangeHandler handler) throws Exception {
        delegate.run(handler);
    }

    @Override
    public void acknowledge(Position durable) throws Exception {
        points.reach("committed");
        delegate.acknowledge(durable);
        points.reach("acknowledged");
    }

    @Override
    public void epochCut(Position end) {
        delegate.epochCut(end);
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
