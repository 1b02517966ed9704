package io.tideline.sink.iceberg;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink's meters, tagged with the Iceberg table name:
 * <ul>
 *   <li>{@code tideline.iceberg.batch.size}: changes per table commit;</li>
 *   <li>{@code tideline.iceberg.commit.duration}: write files + commit, per table batch;</li>
 *   <li>{@code tideline.iceberg.freshness}: source commit → visible in Iceberg, per change (p50/p99 published);</li>
 *   <li>{@code tideline.iceberg.files} (tag {@code content=data|delete}): files in the current snapshot;</li>
 *   <li>{@code tideline.iceberg.commit.conflicts}, {@code tideline.iceberg.upkeep.rewrites}: counters.</li>
 * </ul>
 */
public final class IcebergSinkMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

    IcebergSinkMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    void batch(String table, int changes) {
        DistributionSummary.builder("tideline.iceberg.batch.size").tag("table", table).baseUnit("changes")
                .register(registry).record(changes);
        // at 0 from the table's first commit on, so an alert on their increase sees the series before the first event
        Counter.builder("tideline.iceberg.commit.conflicts").tag("table", table).register(registry);
        Counter.builder("tideline.iceberg.upkeep.rewrites").tag("table", table).register(registry);
    }

    Timer commitTimer(String table) {
        return Timer.builder("tideline.iceberg.commit.duration").tag("table", table)
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    public Timer freshness(String table) {
        return Timer.builder("tideline.iceberg.freshness").tag("table", table)
                .description("source commit to visible in Iceberg")
                .publishPercentiles(0.5, 0.99).minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    }

    void files(String table, String content, long count) {
        gauges.computeIfAbsent(table + "|" + content, k -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder("tideline.iceberg.files", holder, AtomicLong::get).tag("table", table).tag("content", content)
                    .register(registry);
            return holder;
        }).set(count);
    }

    void conflict(String table) {
        Counter.builder("tideline.iceberg.commit.conflicts").tag("table", table).register(registry).increment();
    }

    void rewrite(String table) {
        Counter.builder("tideline.iceberg.upkeep.rewrites").tag("table", table).register(registry).increment();
    }
}
