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
    /** Per sink: the source commit time (epoch ms) of the newest change any of its writers received. */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> delivered = new ConcurrentHashMap<>();
    private final long createdNanos = System.nanoTime();

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
        for (FailureKind kind : FailureKind.values()) failures(kind);   // every kind at 0 from the start
        Gauge.builder("tideline.runtime.epoch.age", this, m -> {
                    long last = m.lastEpochCommitNanos;
                    return (System.nanoTime() - (last == 0 ? m.createdNanos : last)) / 1e9;
                }).baseUnit("seconds")
                .description("Time since the last epoch committed (since start before the first): alert when it grows past a few epochs")
                .register(registry);
    }

    /** Changes a sink's writers received, per table: {@code tideline_sink_records_total{sink,table}}. */
    Counter sinkRecords(String sink, String table) {
        return Counter.builder("tideline.sink.records").tag("sink", sink).tag("table", table)
                .description("Changes handed to the sink, per table").register(registry);
    }

    /** Notes that a writer of {@code sink} received a change committed at {@code commitTimeMs}. */
    void delivered(String sink, long commitTimeMs) {
        java.util.concurrent.atomic.AtomicLong newest = delivered.get(sink);
        if (newest == null) {
            newest = delivered.computeIfAbsent(sink, s -> {
                java.util.concurrent.atomic.AtomicLong holder = new java.util.concurrent.atomic.AtomicLong();
                Gauge.builder("tideline.source.lag", holder, h -> (System.currentTimeMillis() - h.get()) / 1000.0)
                        .tag("sink", s).baseUnit("seconds")
                        .description("Now minus the source commit time of the newest change handed to the sink (grows"
                                + " while the captured tables are idle)").register(registry);
                return holder;
            });
        }
        long t = commitTimeMs;
        if (t > newest.get()) newest.accumulateAndGet(t, Math::max);
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
