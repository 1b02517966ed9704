package io.tideline.sink.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tideline.api.TableId;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Source commit time → Kafka ack, per table: a Micrometer timer {@value #METRIC} (tag {@code table}, with p50/p99/
 * p99.9 and a percentile histogram for Prometheus) and a one-line p50/p99/max summary per table in the log every
 * interval. Recorded from producer callbacks, so it is thread-safe.
 */
final class AckLatency implements AutoCloseable {

    static final String METRIC = "tideline.kafka.commit.to.ack";
    private static final Logger LOG = LoggerFactory.getLogger(AckLatency.class);
    private static final long MAX_TRACKED_MICROS = TimeUnit.HOURS.toMicros(1);

    private final MeterRegistry registry;
    private final Map<TableId, Timer> timers = new ConcurrentHashMap<>();
    private final Map<TableId, Recorder> windows = new ConcurrentHashMap<>();
    private final ScheduledExecutorService logger;

    AckLatency(MeterRegistry registry, Duration logInterval) {
        this.registry = registry;
        this.logger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tideline-kafka-latency-log");
            t.setDaemon(true);
            return t;
        });
        long ms = logInterval.toMillis();
        logger.scheduleAtFixedRate(this::logSummary, ms, ms, TimeUnit.MILLISECONDS);
    }

    void record(TableId table, long commitTimeMs, long ackTimeMs) {
        long latencyMs = Math.max(0, ackTimeMs - commitTimeMs);
        timers.computeIfAbsent(table, t -> Timer.builder(METRIC)
                .description("Source commit time to Kafka acknowledgement")
                .tag("table", t.toString())
                .publishPercentiles(0.5, 0.99, 0.999)
                .publishPercentileHistogram()
                .register(registry)).record(latencyMs, TimeUnit.MILLISECONDS);
        windows.computeIfAbsent(table, t -> new Recorder(3))
                .recordValue(Math.min(MAX_TRACKED_MICROS, latencyMs * 1000));
    }

    /** One line per table with what was acknowledged since the last summary; returned for tests. */
    String logSummary() {
        StringBuilder all = new StringBuilder();
        for (Map.Entry<String, Recorder> e : windowsByName().entrySet()) {
            Histogram h = e.getValue().getIntervalHistogram();
            if (h.getTotalCount() == 0) continue;
            String line = String.format("Kafka commit->ack latency table=%s count=%d p50=%.1fms p99=%.1fms max=%.1fms",
                    e.getKey(), h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
            LOG.info(line);
            all.append(line).append('\n');
        }
        return all.toString();
    }

    private Map<String, Recorder> windowsByName() {
        Map<String, Recorder> m = new TreeMap<>();
        windows.forEach((k, v) -> m.put(k.toString(), v));
        return m;
    }

    @Override
    public void close() {
        logger.shutdownNow();
    }
}
