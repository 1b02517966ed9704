package io.tideline.runtime;

import io.tideline.api.ChangeSource;
import io.tideline.api.Position;
import io.tideline.idempotency.EpochLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collects the prepared reports of every sink writer and commits each epoch once all reported: ledger first,
 * then {@code source.acknowledge(end)}, so the source never moves past what the ledger and every sink hold.
 * Commits run on their own thread while the next epochs keep flowing; at most one epoch commits at a time, and a
 * prepared epoch waits for the one committing. No sink worker ever blocks on a commit (a slow fsync must not
 * stall the data path).
 */
final class EpochCoordinator {

    private static final Logger LOG = LoggerFactory.getLogger(EpochCoordinator.class);

    private final int expectedReports;
    private final EpochLedger ledger;
    private final ChangeSource source;
    private final Control control;
    private final RuntimeMetrics metrics;
    private final AtomicReference<Position> lastCommitted;
    private final Map<Long, Integer> reports = new HashMap<>();
    private Barrier pendingCommit; // guarded by this
    private boolean committing;    // guarded by this
    private final ExecutorService committer;
    private long epochStartNanos = System.nanoTime();

    EpochCoordinator(int expectedReports, EpochLedger ledger, ChangeSource source, Control control,
                     RuntimeMetrics metrics, AtomicReference<Position> lastCommitted) {
        this.expectedReports = expectedReports;
        this.ledger = ledger;
        this.source = source;
        this.control = control;
        this.metrics = metrics;
        this.lastCommitted = lastCommitted;
        this.committer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tideline-epoch-commit");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The lowest position a sink writer asked the source not to be acknowledged past (see SinkWriter#holdAt); it
     * only tightens within a run: a parked table stays parked until a restart.
     */
    private final java.util.concurrent.atomic.AtomicReference<Position> hold = new java.util.concurrent.atomic.AtomicReference<>();

    void hold(Position at) {
        if (at == null) return;
        hold.accumulateAndGet(at, (a, b) -> a == null || a.isAfter(b) ? b : a);
    }

    /** A sink writer made everything before {@code barrier} durable, up to {@code durable}. Never blocks. */
    void prepared(Barrier barrier, String sink, int writer, Position durable) {
        LOG.debug("Epoch {} prepared by {} writer {} (durable {})", barrier.epoch(), sink, writer, durable);
        synchronized (reports) {
            int n = reports.merge(barrier.epoch(), 1, Integer::sum);
            if (n < expectedReports) return;
            reports.remove(barrier.epoch());
        }
        synchronized (this) {
            // Epoch N+1 prepared while N still commits: it waits here. If N+2 follows before N is done, N+2's commit
            // covers N+1's (its end is later and everything before it is durable), so only the latest waits.
            if (pendingCommit != null) metrics.epochsCoalesced.increment();
            pendingCommit = barrier;
            if (committing) return;
            committing = true;
        }
        committer.execute(this::drain);
    }

    /** Commit-thread loop: one epoch at a time, the latest prepared one next. */
    private void drain() {
        while (true) {
            Barrier next;
            synchronized (this) {
                next = pendingCommit;
                pendingCommit = null;
                if (next == null) {
                    committing = false;
                    return;
                }
            }
            if (!commit(next)) {
                synchronized (this) {
                    pendingCommit = null;
                    committing = false;
                }
                return;
            }
        }
    }

    private boolean commit(Barrier barrier) {
        long start = System.nanoTime();
        try {
            Position end = barrier.end();
            Position held = hold.get();
            if (end != null && held != null && end.isAfter(held)) end = held;
            Position previous = lastCommitted.get();
            boolean moved = end != null && (previous == null || end.isAfter(previous));
            if (moved) {
                // After a failed acknowledgement the ledger may already be ahead of the replay: it never goes back.
                Position recorded = ledger.lastCommitted().map(r -> r.end()).orElse(null);
                if (recorded == null || end.isAfter(recorded)) ledger.commit(barrier.epoch(), end);
                source.acknowledge(end);
                lastCommitted.set(end);
            }
            long now = System.nanoTime();
            metrics.commitTime.record(now - start, TimeUnit.NANOSECONDS);
            metrics.epochDuration.record(now - epochStartNanos, TimeUnit.NANOSECONDS);
            metrics.epochsCommitted.increment();
            metrics.lastEpochCommitNanos = System.nanoTime();
            epochStartNanos = barrier.injectedNanos();
            LOG.debug("Epoch {} committed at {}", barrier.epoch(), end);
            control.epochCommitted(barrier.epoch(), moved);
            return true;
        } catch (Throwable t) {
            control.fail("epoch-commit", new Exception("Cannot commit epoch " + barrier.epoch() + " at " + barrier.end()
                    + ": " + t.getMessage() + ". The epoch is replayed from the last committed epoch.", t));
            return false;
        }
    }

    /** Lets a commit already handed over finish (its epoch is fully prepared), then stops the commit thread. */
    void shutdown(long timeoutMs) throws InterruptedException {
        committer.shutdown();
        if (!committer.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
            committer.shutdownNow();
            throw new IllegalStateException("Cannot stop the epoch committer: a ledger write or source acknowledgement "
                    + "took longer than " + timeoutMs + " ms. Check the state dir's disk and the source.");
        }
    }
}
