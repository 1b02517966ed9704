package io.tideline.microbatch;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A batch-only sink that records each committed batch; can be told to fail a commit. */
final class RecordingBatchSink implements Sink {

    final boolean keepLast;
    final List<List<ChangeEvent>> batches = new CopyOnWriteArrayList<>();
    final List<Long> prepareEpochs = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    volatile RuntimeException failNextPrepare;
    volatile long commitDelayMs;
    /** When set, a commit waits for it (at most 60 s): the test decides when a commit ends. */
    volatile java.util.concurrent.CountDownLatch commitGate;
    /** Counted down when a commit starts. */
    final java.util.concurrent.CountDownLatch committing = new java.util.concurrent.CountDownLatch(1);
    volatile boolean closed;

    RecordingBatchSink(boolean keepLast) {
        this.keepLast = keepLast;
    }

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public Capability capability() {
        return Capability.BATCH_ONLY;
    }

    @Override
    public boolean keepLastPerKey(io.tideline.api.TableId table) {
        return keepLast;
    }

    @Override
    public SinkWriter openWriter(int index, int writers) {
        return new SinkWriter() {
            final List<ChangeEvent> pending = new ArrayList<>();
            Position durable;

            @Override
            public void write(ChangeEvent event, long epoch) {
                threads.add(Thread.currentThread().getName());
                pending.add(event);
            }

            @Override
            public Position prepare(long epoch) throws Exception {
                threads.add(Thread.currentThread().getName());
                committing.countDown();
                java.util.concurrent.CountDownLatch gate = commitGate;
                if (gate != null) gate.await(60, java.util.concurrent.TimeUnit.SECONDS);
                if (commitDelayMs > 0) Thread.sleep(commitDelayMs);
                RuntimeException f = failNextPrepare;
                if (f != null) {
                    failNextPrepare = null;
                    pending.clear();
                    throw f;
                }
                prepareEpochs.add(epoch);
                if (!pending.isEmpty()) {
                    batches.add(List.copyOf(pending));
                    for (ChangeEvent e : pending) durable = Position.max(durable, e.position());
                    pending.clear();
                }
                return durable;
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }
}
