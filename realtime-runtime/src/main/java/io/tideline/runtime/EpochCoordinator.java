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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Collects the prepared reports of every sink writer and commits each epoch once all reported: ledger first,
 * then {@code source.acknowledge(end)}, so the source never moves past what the ledger and every sink hold.
 * Commits run on their own thread while the next epoch keeps flowing; at most one epoch commits at a time (the
 * last writer to report epoch N+1 waits while N still commits).
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
    private final Semaphore inFlight = new Semaphore(1);
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

    /** A sink writer made everything before {@code barrier} durable, up to {@code durable}. */
    void prepared(Barrier barrier, String sink, int writer, Position durable) throws InterruptedException {
        LOG.debug("Epoch {} prepared by {} writer {} (durable {})", barrier.epoch(), sink, writer, durable);
        synchronized (reports) {
            int n = reports.merge(barrier.epoch(), 1, Integer::sum);
            if (n < expectedReports) return;
            reports.remove(barrier.epoch());
        }
        while (!inFlight.tryAcquire(1, TimeUnit.MILLISECONDS)) {
            if (control.aborted()) return; // not committed: the epoch is replayed
        }
        try {
            committer.execute(() -> commit(barrier));
        } catch (RuntimeException e) {
            inFlight.release();
            throw e;
        }
    }

    private void commit(Barrier barrier) {
        long start = System.nanoTime();
        try {
            Position end = barrier.end();
            Position previous = lastCommitted.get();
            boolean moved = end != null && (previous == null || end.isAfter(previous));
            if (moved) {
                ledger.commit(barrier.epoch(), end);
                source.acknowledge(end);
                lastCommitted.set(end);
            }
            long now = System.nanoTime();
            metrics.commitTime.record(now - start, TimeUnit.NANOSECONDS);
            metrics.epochDuration.record(now - epochStartNanos, TimeUnit.NANOSECONDS);
            metrics.epochsCommitted.increment();
            epochStartNanos = barrier.injectedNanos();
            LOG.debug("Epoch {} committed at {}", barrier.epoch(), end);
            control.epochCommitted(barrier.epoch(), moved);
        } catch (Throwable t) {
            control.fail("epoch-commit", new Exception("Cannot commit epoch " + barrier.epoch() + " at " + barrier.end()
                    + ": " + t.getMessage() + ". The epoch is replayed from the last committed epoch.", t));
        } finally {
            inFlight.release();
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
