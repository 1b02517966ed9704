package io.tideline.source;

import io.debezium.engine.spi.OffsetCommitPolicy;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Keeps an idle engine from spinning. Tideline polls Debezium's change queue with {@code poll.interval.ms=1} for
 * latency, and {@code ChangeEventQueue.poll} waits out the last millisecond of every poll on the millisecond clock
 * by spinning; with nothing to capture the engine polls again at once, so an idle daemon burnt half a core.
 *
 * <p>After a poll that found nothing the engine asks its commit policy whether to commit, with nothing marked
 * processed since the last commit. This policy answers as {@link OffsetCommitPolicy#always()} does, but on that call
 * it first waits, parked, until the queue holds a change again (its depth read from the connector's streaming
 * metrics, {@code QueueRemainingCapacity}), for at most {@link #MAX_WAIT}, so the engine still looks at its state
 * and at the capture thread's failures several times a second. Tideline's own commits always carry a change marked
 * processed, so they never wait, and each one ends a wait ({@link #wake}): Debezium moves the slot at its next poll.
 * Without the metrics (not registered yet) it does not wait.
 */
final class IdlePollPacer implements OffsetCommitPolicy {

    /** Longest wait before the engine polls anyway. */
    static final Duration MAX_WAIT = Duration.ofMillis(100);
    /** Shortest and longest parks: a change arriving after a busy spell is noticed in 50 µs, when long idle in 1 ms. */
    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final ObjectName pattern;
    private final BooleanSupplier stopping;
    /** The streaming metrics found, with the queue's capacity (fixed for the engine's life); null until found. */
    private volatile Queue queue;
    /** The engine's polling thread while it waits here; {@link #wake} unparks it. */
    private volatile Thread waiting;
    private volatile boolean woken;

    IdlePollPacer(String topicPrefix, BooleanSupplier stopping) {
        this.pattern = streamingMetrics(topicPrefix);
        this.stopping = stopping;
    }

    @Override
    public boolean performCommit(long numberOfMessagesSinceLastCommit, Duration timeSinceLastCommit) {
        if (numberOfMessagesSinceLastCommit == 0) {
            awaitChange();
        }
        return true;
    }

    /**
     * Parks until the queue holds a change, {@link #MAX_WAIT} passed, the source stops, {@link #wake} is called or the
     * thread is interrupted.
     */
    void awaitChange() {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        long park = MIN_PARK_NANOS;
        waiting = Thread.currentThread();
        try {
            while (!woken && isQueueEmpty() && !stopping.getAsBoolean() && !Thread.currentThread().isInterrupted()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return;
                LockSupport.parkNanos(this, Math.min(park, left));
                park = Math.min(park * 2, MAX_PARK_NANOS);
            }
        } finally {
            waiting = null;
            woken = false; // a wake before the wait began ends this one; one after it ends the next (one extra poll)
        }
    }

    /**
     * Ends a wait at once. An acknowledgement calls it: Debezium flushes an acknowledged LSN to the slot at the start
     * of its next poll, which must not wait for a change to come.
     */
    void wake() {
        woken = true;
        Thread t = waiting;
        if (t != null) LockSupport.unpark(t);
    }

    private record Queue(ObjectName metrics, int capacity) {
    }

    /** True only when the metrics say the queue is empty; unknown counts as not empty. */
    boolean isQueueEmpty() {
        if (pattern == null) return false;
        Queue q = queue;
        try {
            if (q == null) {
                Set<ObjectName> found = server.queryNames(pattern, null);
                if (found.isEmpty()) return false;
                ObjectName name = found.iterator().next();
                q = new Queue(name, ((Number) server.getAttribute(name, "QueueTotalCapacity")).intValue());
                queue = q;
            }
            return ((Number) server.getAttribute(q.metrics(), "QueueRemainingCapacity")).intValue() >= q.capacity();
        } catch (Exception e) {
            queue = null; // unregistered by an engine that stopped; the next one registers it again
            return false;
        }
    }

    private static ObjectName streamingMetrics(String topicPrefix) {
        try {
            // unquoted, as Debezium registers it; a topic prefix is made of topic-name characters
            return new ObjectName("debezium.postgres:type=connector-metrics,context=streaming,server=" + topicPrefix + ",*");
        } catch (Exception e) {
            return null; // a name JMX cannot spell: never wait
        }
    }
}
