package io.tideline.daemon;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Tag;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the pipeline's own meters (names starting with {@code tideline.}) to the log every
 * tideline.metrics.log.interval, so an operator without Prometheus still sees throughput and latency.
 */
final class MetricsLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsLog.class);

    private final MeterRegistry registry;
    private final ScheduledExecutorService timer;

    MetricsLog(MeterRegistry registry, Duration interval) {
        this.registry = registry;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tideline-metrics-log");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleAtFixedRate(this::logOnce, ms, ms, TimeUnit.MILLISECONDS);
    }

    void logOnce() {
        try {
            lines(registry).forEach(line -> LOG.info("metrics {}", line));
        } catch (RuntimeException e) {
            LOG.warn("Cannot log metrics: {}. They stay available on GET /metrics.", e.toString());
        }
    }

    static List<String> lines(MeterRegistry registry) {
        List<String> out = new ArrayList<>();
        for (Meter meter : registry.getMeters()) {
            String name = meter.getId().getName();
            if (!name.startsWith("tideline.") || name.equals("tideline.pipeline.up")) {
                continue;
            }
            StringBuilder sb = new StringBuilder(name);
            List<Tag> tags = meter.getId().getTags().stream().filter(t -> !t.getKey().equals("application")).toList();
            if (!tags.isEmpty()) {
                sb.append('{');
                tags.forEach(t -> sb.append(t.getKey()).append('=').append(t.getValue()).append(','));
                sb.setCharAt(sb.length() - 1, '}');
            }
            for (Measurement m : meter.measure()) {
                sb.append(' ').append(m.getStatistic().getTagValueRepresentation()).append('=')
                        .append(format(m.getValue()));
            }
            out.add(sb.toString());
        }
        out.sort(null);
        return out;
    }

    private static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format("%.3f", v);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
