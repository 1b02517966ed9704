package io.tideline.microbatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Presents a {@link Sink.Capability#BATCH_ONLY} sink writer to the real-time runtime as a record-at-a-time
 * {@link SinkWriter}. Changes collect in a batch; a batch commits when its oldest change is
 * {@link BatchTrigger#interval()} old, when it reaches {@link BatchTrigger#maxRows()}, and always at an epoch
 * barrier ({@link #prepare}).
 *
 * <p>A batch commits on this writer's own committer thread (the only thread that touches the underlying writer):
 * for each change {@code underlying.write(change, epoch)}, then {@code underlying.prepare(epoch)}, whose result is
 * the durable position. The caller's thread waits only when the next batch is full while one still commits
 * (at most one batch committing and one filling), and at a barrier. A failed commit fails the next
 * {@link #write} or {@link #prepare}, so the epoch fails and is replayed.
 *
 * <p>The underlying writer may see {@code prepare(epoch)} several times for one epoch (one per batch).
 */
public final class MicroBatchWriter implements SinkWriter {

    private final SinkWriter underlying;
    private final BatchTrigger trigger;
    private final Sink sink;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread committer;
    private final DistributionSummary batchSize;
    private final Timer commitDuration;
    private final Counter batches;

    // guarded by lock
    private Batch filling;
    private Batch committing;
    private long handedOff;
    private long committed;
    private boolean everPrepared;
    private Position durable;
    private Throwable failure;
    private boolean closed;

    /** Opens writer {@code index} of {@code writers} of a batch-only {@code sink} and starts its committer thread. */
    public static MicroBatchWriter open(Sink sink, int index, int writers, BatchTrigger trigger, MeterRegistry registry)
            throws Exception {
        return new MicroBatchWriter(sink, sink.openWriter(index, writers), index, trigger, registry);
    }

    public MicroBatchWriter(Sink sink, SinkWriter underlying, int index, BatchTrigger trigger, MeterRegistry registry) {
        this.sink = sink;
        this.underlying = underlying;
        this.trigger = trigger;
        this.filling = newBatch();
        String[] tags = {"sink", sink.name(), "writer", Integer.toString(index)};
        this.batchSize = DistributionSummary.builder("tideline.microbatch.batch.size")
                .description("Changes per committed micro-batch, after keep-last collapsing").tags(tags).register(registry);
        this.commitDuration = Timer.builder("tideline.microbatch.commit.duration")
                .description("Time to hand a batch to the sink and commit it").tags(tags).register(registry);
        this.batches = Counter.builder("tideline.microbatch.batches")
                .description("Micro-batches committed").tags(tags).register(registry);
        this.committer = new Thread(this::commitLoop, "tideline-microbatch-" + sink.name() + "-" + index);
        this.committer.setDaemon(true);
        this.committer.start();
    }

    private Batch newBatch() {
        return new Batch(sink::keepLastPerKey);
    }

    @Override
    public void write(ChangeEvent event, long epoch) throws Exception {
        lock.lock();
        try {
            throwIfFailed();
            if (!filling.isEmpty() && filling.epoch() != epoch) handOff(); // a batch never spans two epochs
            boolean first = filling.isEmpty();
            filling.add(event, epoch);
            if (filling.received() >= trigger.maxRows() || filling.receivedBytes() >= trigger.maxBytes()) {
                handOff();
            } else if (first) {
                changed.signalAll(); // the committer sleeps until a batch has a first change to time
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Position holdAt() {
        return underlying.holdAt();
    }

    @Override
    public Position prepare(long epoch) throws Exception {
        lock.lock();
        try {
            throwIfFailed();
            if (filling.isEmpty()) filling.epoch(epoch);
            handOff();
            long target = handedOff;
            while (committed < target && failure == null && !closed) changed.await();
            throwIfFailed();
            return durable;
        } finally {
            lock.unlock();
        }
    }

    /** Moves the filling batch to the committer, waiting while the previous one still commits. Lock held. */
    private void handOff() throws Exception {
        while (committing != null && failure == null && !closed) changed.await();
        throwIfFailed();
        committing = filling;
        filling = newBatch();
        handedOff++;
        changed.signalAll();
    }

    private void throwIfFailed() throws Exception {
        if (failure != null) {
            if (failure instanceof Exception e) {
                throw new Exception("Cannot commit micro-batch to sink '" + sink.name() + "': " + e.getMessage()
                        + ". The epoch fails and is replayed from the last committed epoch.", e);
            }
            throw (Error) failure;
        }
        if (closed) throw new IllegalStateException("Cannot use micro-batch writer of sink '" + sink.name() + "': it is closed.");
    }

    private void commitLoop() {
        while (true) {
            Batch batch;
            lock.lock();
            try {
                while (committing == null && !closed) {
                    if (!filling.isEmpty()) {
                        long age = System.nanoTime() - filling.firstChangeNanos();
                        long left = trigger.interval().toNanos() - age;
                        if (left <= 0) {
                            committing = filling;
                            filling = newBatch();
                            handedOff++;
                            break;
                        }
                        changed.awaitNanos(left);
                    } else {
                        changed.await();
                    }
                }
                if (closed) return;
                batch = committing;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            Position result;
            try {
                result = commit(batch);
            } catch (Throwable t) {
                lock.lock();
                try {
                    failure = t;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
                return;
            }
            lock.lock();
            try {
                durable = result;
                everPrepared = true;
                committing = null;
                committed++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Runs on the committer thread only. An empty batch at a barrier asks the sink only until it answered once. */
    private Position commit(Batch batch) throws Exception {
        boolean known;
        Position current;
        lock.lock();
        try {
            known = everPrepared;
            current = durable;
        } finally {
            lock.unlock();
        }
        if (batch.isEmpty() && known) return current;
        long start = System.nanoTime();
        List<ChangeEvent> changes = batch.changes();
        for (ChangeEvent change : changes) underlying.write(change, batch.epoch());
        Position result = underlying.prepare(batch.epoch());
        if (!batch.isEmpty()) {
            commitDuration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            batchSize.record(changes.size());
            batches.increment();
        }
        return result;
    }

    /** Stops the committer (after the batch it is committing, if any), drops what is not committed, closes the sink writer. */
    @Override
    public void close() throws Exception {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        committer.join();
        underlying.close();
    }
}
