package io.tideline.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Sink;

/**
 * Which of a stage's output queues a change goes to (barriers go to all of them): one streaming-shuffle edge's
 * partitioning.
 */
interface Routing {

    /** Writes the indexes of the queues {@code event} goes to into {@code targets}; returns how many there are. */
    int route(ChangeEvent event, int[] targets);

    /** The most queues one change can go to. */
    int fanOut();

    /** To the operator worker that owns the change's key: one of {@code workers} queues. */
    static Routing byKey(int workers) {
        return new Routing() {
            @Override
            public int route(ChangeEvent event, int[] targets) {
                targets[0] = Math.floorMod(event.keyHash(), workers);
                return 1;
            }

            @Override
            public int fanOut() {
                return 1;
            }
        };
    }

    /**
     * To the writer that owns the change's output partition, in every sink: queue {@code s * writers + w} feeds
     * writer {@code w} of sink {@code s}.
     */
    static Routing toWriters(Sink[] sinks, int writers) {
        return new Routing() {
            @Override
            public int route(ChangeEvent event, int[] targets) {
                int n = 0;
                for (int s = 0; s < sinks.length; s++) {
                    if (sinks[s].everyWriterTakes(event)) {
                        for (int w = 0; w < writers; w++) targets[n++] = s * writers + w;
                    } else {
                        targets[n++] = s * writers + writerFor(sinks[s], event, writers);
                    }
                }
                return n;
            }

            @Override
            public int fanOut() {
                return sinks.length * writers;
            }
        };
    }

    /** The sink's choice of writer for the change, checked: each output partition must have exactly one writer. */
    static int writerFor(Sink sink, ChangeEvent event, int writers) {
        int w = sink.writerFor(event, writers);
        if (w < 0 || w >= writers) {
            throw new IllegalStateException("Cannot route change at " + event.position() + " of " + event.table()
                    + ": sink '" + sink.name() + "' chose writer " + w + " of " + writers + ". Fix the sink's writerFor.");
        }
        return w;
    }
}
