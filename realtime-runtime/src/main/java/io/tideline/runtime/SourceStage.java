package io.tideline.runtime;

import io.micrometer.core.instrument.Counter;
import io.tideline.api.ChangeEvent;
import io.tideline.api.ChangeSource;
import io.tideline.api.Position;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The source stage: stamps each change with the current epoch, shuffles it to its queue(s) — by key hash to an
 * operator worker, or, with the operator stage chained away, to the writer owning its partition in every sink —
 * (blocking while a queue is full, which blocks the source: backpressure), and injects the epoch barrier
 * once the epoch's time is up, only right after the last change of a transaction. A timer calls {@link #tick}
 * so an idle stream still closes its epochs; a lock keeps the timer and the source from interleaving.
 */
final class SourceStage implements ChangeSource.ChangeHandler {

    private final Channel[] outputs;
    private final Routing routing;
    private final int[] targets;
    private final Control control;
    private final long epochNanos;
    private final RuntimeMetrics metrics;
    private final Counter out;
    private final ReentrantLock lock = new ReentrantLock();
    private final SourceProgress progress;
    private final ChangeSource source;

    // guarded by lock
    private long epoch;
    private long epochStartNanos;
    private boolean betweenTransactions = true;
    private Position last;

    SourceStage(ChangeSource source, Channel[] outputs, Routing routing, Control control, long firstEpoch,
                Position lastCommitted, long epochNanos, RuntimeMetrics metrics, SourceProgress progress) {
        this.source = source;
        this.outputs = outputs;
        this.routing = routing;
        this.targets = new int[routing.fanOut()];
        this.progress = progress;
        this.control = control;
        this.epoch = firstEpoch;
        this.last = lastCommitted;
        this.epochNanos = epochNanos;
        this.metrics = metrics;
        this.out = metrics.recordsOut("source", 0);
        this.epochStartNanos = System.nanoTime();
    }

    @Override
    public void onChange(ChangeEvent event) throws InterruptedException {
        lock.lock();
        try {
            if (control.aborted()) throw new InterruptedException("Tideline pipeline stopped; the change at "
                    + event.position() + " will be replayed.");
            Envelope envelope = new Envelope(event, epoch, System.nanoTime());
            int n = routing.route(event, targets);
            for (int i = 0; i < n; i++) {
                Channel channel = outputs[targets[i]];
                if (!channel.offer(envelope)) {
                    long start = System.nanoTime();
                    boolean put = channel.put(envelope, control::aborted);
                    metrics.sourceBlocked.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    if (!put) throw new InterruptedException("Tideline pipeline stopped; the change at "
                            + event.position() + " will be replayed.");
                }
            }
            progress.handedOff(event.position()); // after the put: a writer that reads it will find the change queued
            out.increment();
            last = Position.max(last, event.position());
            betweenTransactions = event.lastInTransaction();
            if (betweenTransactions && System.nanoTime() - epochStartNanos >= epochNanos) injectBarrier();
        } finally {
            lock.unlock();
        }
    }

    /** A heartbeat between transactions: the next barrier may end its epoch here. */
    @Override
    public void onProgress(Position position) throws InterruptedException {
        lock.lock();
        try {
            if (control.aborted() || !betweenTransactions) return;
            last = Position.max(last, position);
            if (System.nanoTime() - epochStartNanos >= epochNanos) injectBarrier();
        } finally {
            lock.unlock();
        }
    }

    /** From the timer: closes a due epoch of an idle stream, never inside a transaction. */
    void tick() {
        if (!lock.tryLock()) return; // the source is delivering (or blocked): it will close the epoch itself
        try {
            if (!control.aborted() && betweenTransactions && System.nanoTime() - epochStartNanos >= epochNanos) {
                injectBarrier();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The source's run returned: closes the current epoch if the stream stopped between transactions.
     * Returns that epoch, or -1 when the stream stopped inside a transaction (its changes will be replayed).
     */
    long finish() {
        lock.lock();
        try {
            if (!betweenTransactions || control.aborted()) return -1;
            long closing = epoch;
            injectBarrier();
            return closing;
        } finally {
            lock.unlock();
        }
    }

    /** The epoch the next change would get; after an attempt, one above every epoch it used. */
    long nextEpoch() {
        lock.lock();
        try {
            return epoch + 1;
        } finally {
            lock.unlock();
        }
    }

    private void injectBarrier() {
        long now = System.nanoTime();
        Barrier barrier = new Barrier(epoch, last, now);
        for (Channel c : outputs) {
            if (!c.put(barrier, control::aborted)) return;
        }
        epoch++;
        epochStartNanos = now;
        // under the lock, so the source learns of the cut before it is handed (and records) anything newer
        if (last != null) source.epochCut(last);
    }
}
