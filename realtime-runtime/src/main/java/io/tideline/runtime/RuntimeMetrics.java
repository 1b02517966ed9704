package io.tideline.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runtime's meters. Queues are rebuilt on every restart, so each depth gauge reads whichever queue currently
 * has its name instead of holding on to the first one.
 */
final class RuntimeMetrics {

    final MeterRegistry registry;
    final LatencyHistogram latency;
    final Timer sourceBlocked;
    final Timer epochDuration;
    final Timer commitTime;
    final Counter epochsCommitted;
    final Counter restarts;
    final Counter epochsCoalesced;
    private final Map<String, AtomicReference<Channel>> queues = new ConcurrentHashMap<>();

    /** When the last epoch committed (System.nanoTime), or 0 before the first; read by health checks. */
    volatile long lastEpochCommitNanos;

    /** Failed attempts by how they were treated: {@code tideline_runtime_failures_total{kind=transient|permanent|unknown}}. */
    Counter failures(FailureKind kind) {
        return Counter.builder("tideline.runtime.failures").tag("kind", kind.name().toLowerCase(java.util.Locale.ROOT))
                .description("Failed pipeline attempts, by kind").register(registry);
    }

    RuntimeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.latency = new LatencyHistogram(registry);
        this.sourceBlocked = Timer.builder("tideline.runtime.source.blocked")
                .description("Time the source waited on a full queue (backpressure)").register(registry);
        this.epochDuration = Timer.builder("tideline.runtime.epoch.duration")
                .description("From an epoch's start to its commit").register(registry);
        this.commitTime = Timer.builder("tideline.runtime.epoch.commit")
                .description("Ledger write plus source acknowledgement of one epoch").register(registry);
        this.epochsCommitted = Counter.builder("tideline.runtime.epochs.committed").register(registry);
        this.epochsCoalesced = Counter.builder("tideline.runtime.epochs.coalesced")
                .description("Prepared epochs whose commit was covered by a later epoch's (commits slower than epochs)")
                .register(registry);
        this.restarts = Counter.builder("tideline.runtime.restarts")
                .description("Pipeline restarts after a failed epoch").register(registry);
    }

    Counter recordsIn(String stage, int worker) {
        return Counter.builder("tideline.runtime.records.in").tag("stage", stage).tag("worker", Integer.toString(worker))
                .register(registry);
    }

    Counter recordsOut(String stage, int worker) {
        return Counter.builder("tideline.runtime.records.out").tag("stage", stage).tag("worker", Integer.toString(worker))
                .register(registry);
    }

    Timer prepareTime(String sink) {
        return Timer.builder("tideline.runtime.epoch.prepare").tag("sink", sink)
                .description("Time a sink writer took to make an epoch durable").register(registry);
    }

    void track(Channel channel) {
        queues.computeIfAbsent(channel.name(), name -> {
            AtomicReference<Channel> ref = new AtomicReference<>();
            Gauge.builder("tideline.runtime.queue.depth", ref, r -> r.get() == null ? 0 : r.get().depth())
                    .tag("queue", name).register(registry);
            return ref;
        }).set(channel);
    }
}
