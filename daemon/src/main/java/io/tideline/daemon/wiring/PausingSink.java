package io.tideline.daemon.wiring;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;
import io.tideline.api.TableId;

/** A sink that stops at the configured {@link PausePoints} around its writers' calls. */
final class PausingSink implements Sink {

    private final Sink delegate;
    private final PausePoints points;

    PausingSink(Sink delegate, PausePoints points) {
        this.delegate = delegate;
        this.points = points;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Capability capability() {
        return delegate.capability();
    }

    @Override
    public int writerFor(ChangeEvent event, int writers) {
        return delegate.writerFor(event, writers);
    }

    @Override
    public boolean keepLastPerKey(TableId table) {
        return delegate.keepLastPerKey(table);
    }

    @Override
    public SinkWriter openWriter(int index, int writers) throws Exception {
        SinkWriter writer = delegate.openWriter(index, writers);
        String name = delegate.name();
        return new SinkWriter() {
            @Override
            public void write(ChangeEvent event, long epoch) throws Exception {
                writer.write(event, epoch);
                points.reach("write:" + name);
            }

            @Override
            public Position prepare(long epoch) throws Exception {
                points.reach("prepare:" + name);
                Position durable = writer.prepare(epoch);
                points.reach("prepared:" + name);
                return durable;
            }

            @Override
            public void replayFrom(Position acknowledged) throws Exception {
                writer.replayFrom(acknowledged);
            }

            @Override
            public Position holdAt() {
                return writer.holdAt();
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
