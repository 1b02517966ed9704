package io.tideline.demo;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The one line the demo prints every few seconds, read from the daemon's own metrics. */
final class DemoStatus {

    private final Supplier<MeterRegistry> registry;
    private final DemoWorkload workload;
    private final long startedNanos = System.nanoTime();
    private long icebergCommits;
    private long lastIcebergCommitNanos;

    DemoStatus(Supplier<MeterRegistry> registry, DemoWorkload workload) {
        this.registry = registry;
        this.workload = workload;
    }

    String line() {
        long elapsed = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%3d:%02d  workload %,d tx", elapsed / 60,
                elapsed % 60, workload.transactions()));
        MeterRegistry r = registry.get();
        if (r == null) {
            return b.append(" | no daemon metrics here").toString();
        }
        long kafka = 0;
        double p99 = Double.NaN;
        for (Timer t : r.find("tideline.kafka.commit.to.ack").timers()) {
            kafka += t.count();
            p99 = max(p99, percentile(t, 0.99));
        }
        b.append(String.format(Locale.ROOT, " | kafka %,d changes, p99 %s (2 min)", kafka, millis(p99)));
        long iceberg = 0;
        for (DistributionSummary s : r.find("tideline.iceberg.batch.size").summaries()) {
            iceberg += (long) s.totalAmount();
        }
        long commits = 0;
        for (Timer t : r.find("tideline.iceberg.commit.duration").timers()) {
            commits += t.count();
        }
        if (commits != icebergCommits) {
            icebergCommits = commits;
            lastIcebergCommitNanos = System.nanoTime();
        }
        double freshness = Double.NaN;
        for (Timer t : r.find("tideline.iceberg.freshness").timers()) {
            freshness = max(freshness, percentile(t, 0.99));
        }
        b.append(String.format(Locale.ROOT, " | iceberg %,d changes in %,d commits", iceberg, commits));
        if (commits > 0) {
            b.append(String.format(Locale.ROOT, ", last %d s ago, freshness p99 %s",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastIcebergCommitNanos), seconds(freshness)));
        }
        Gauge wal = r.find("tideline.source.slot.retained.wal").gauge();
        if (wal != null && wal.value() >= 0) {
            b.append(String.format(Locale.ROOT, " | slot holds %.1f MB of WAL", wal.value() / 1e6));
        }
        long snapshotting = r.find("tideline.snapshot.running").gauges().stream().filter(g -> g.value() > 0).count();
        if (snapshotting > 0) {
            b.append(" | snapshotting ").append(snapshotting).append(" tables");
        }
        if (workload.schemaChanged()) {
            b.append(" | customers.loyalty_tier added");
        }
        return b.toString();
    }

    /** True once every captured table's snapshot is done (false before the daemon registered its gauges). */
    static boolean snapshotDone(MeterRegistry r) {
        if (r == null) {
            return false;
        }
        var running = r.find("tideline.snapshot.running").gauges();
        return !running.isEmpty() && running.stream().allMatch(g -> g.value() == 0);
    }

    private static double percentile(Timer t, double p) {
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
            if (v.percentile() == p) {
                return v.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    private static String millis(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.0f ms", ms);
    }

    private static String seconds(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.1f s", ms / 1000);
    }
}
