package io.tideline.bench.iceberg;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.ChangeEvent;
import io.tideline.api.SinkWriter;
import io.tideline.sink.iceberg.IcebergSink;
import io.tideline.sink.iceberg.Upkeep;
import io.tideline.sink.iceberg.WriteMode;
import org.HdrHistogram.Histogram;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Iceberg sink benchmark. Feeds the sink's writer directly with synthetic change events (no PostgreSQL, no
 * Debezium, no micro-batch runtime: this measures the sink and Iceberg alone) on a Hadoop catalog in a local
 * temp warehouse, and prints:
 * <ol>
 *   <li>bulk throughput: rows/s of inserts into an upsert table, in batches;</li>
 *   <li>steady load: a fixed rate of upserts, committed every trigger interval, with p50/p99 freshness
 *       (source commit → visible in Iceberg) and rows/s;</li>
 *   <li>200 consecutive commits of random-key updates with upkeep off and on: median commit ms and the time
 *       to read the whole table, per bucket of commits.</li>
 * </ol>
 * Options (system properties): {@code bench.bulk.rows} (200000), {@code bench.bulk.batch} (20000),
 * {@code bench.steady.rate} (2000 rows/s), {@code bench.steady.seconds} (30), {@code bench.steady.trigger.ms} (1000),
 * {@code bench.commits} (200), {@code bench.commit.rows} (200), {@code bench.keys} (20000),
 * {@code bench.upkeep.seconds} (5).
 */
public final class IcebergBench {

    private static final int BUCKET = 20;

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.iceberg", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.io.tideline", "warn");
        Path warehouse = Files.createTempDirectory("tideline-iceberg-bench");
        try {
            System.out.println("# Iceberg sink benchmark (synthetic ChangeEvents fed to the sink writer directly; Hadoop catalog on local disk)");
            System.out.println("cores=" + Runtime.getRuntime().availableProcessors() + ", warehouse=" + warehouse);
            bulk(warehouse, Integer.getInteger("bench.bulk.rows", 200_000), Integer.getInteger("bench.bulk.batch", 20_000));
            steady(warehouse, Integer.getInteger("bench.steady.rate", 2_000), Integer.getInteger("bench.steady.seconds", 30),
                    Integer.getInteger("bench.steady.trigger.ms", 1_000));
            int commits = Integer.getInteger("bench.commits", 200);
            int rows = Integer.getInteger("bench.commit.rows", 200);
            int keys = Integer.getInteger("bench.keys", 20_000);
            Duration upkeepEvery = Duration.ofSeconds(Integer.getInteger("bench.upkeep.seconds", 5));
            long[][] off = commitSeries(warehouse, "upkeep_off", Upkeep.disabled(), commits, rows, keys);
            long[][] on = commitSeries(warehouse, "upkeep_on",
                    Upkeep.every(upkeepEvery).snapshotRetention(Duration.ofMinutes(1)).retainLastSnapshots(20), commits, rows, keys);
            printCommitTable(commits, rows, upkeepEvery, off, on);
        } finally {
            try (Stream<Path> s = Files.walk(warehouse)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static IcebergSink sink(Path warehouse, String namespace, Upkeep upkeep) {
        return IcebergSink.builder()
                .catalogProperties(Map.of("type", "hadoop", "warehouse", warehouse.toUri().toString()))
                .namespace(namespace).writeMode(WriteMode.UPSERT).upkeep(upkeep)
                .meterRegistry(new SimpleMeterRegistry()).build();
    }

    private static void bulk(Path warehouse, int rows, int batch) throws Exception {
        SyntheticOrders orders = new SyntheticOrders();
        try (IcebergSink sink = sink(warehouse, "bulk", Upkeep.disabled()); SinkWriter w = sink.openWriter(0, 1)) {
            long started = System.nanoTime();
            long epoch = 0;
            for (int id = 0; id < rows; ) {
                for (int i = 0; i < batch && id < rows; i++) w.write(orders.insert(id++), epoch);
                w.prepare(epoch++);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("%n## Bulk inserts into an upsert table%n");
            System.out.printf("| rows | batch | commits | seconds | rows/s |%n|---|---|---|---|---|%n");
            System.out.printf("| %d | %d | %d | %.1f | %.0f |%n", rows, batch, epoch, seconds, rows / seconds);
        }
    }

    private static void steady(Path warehouse, int rate, int seconds, int triggerMs) throws Exception {
        SyntheticOrders orders = new SyntheticOrders();
        Random random = new Random(7);
        Histogram freshness = new Histogram(3_600_000L, 3);
        long committedRows = 0;
        try (IcebergSink sink = sink(warehouse, "steady", Upkeep.every(Duration.ofSeconds(10)));
             SinkWriter w = sink.openWriter(0, 1)) {
            // The load generator runs on this thread too: changes are "committed at the source" on schedule,
            // and a batch commits every trigger interval, the way the micro-batch runtime drives the sink.
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long intervalNs = 1_000_000_000L / rate;
            long next = start;
            long nextTrigger = start + triggerMs * 1_000_000L;
            long epoch = 0;
            List<ChangeEvent> batch = new ArrayList<>();
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                while (next <= now) {
                    ChangeEvent e = random.nextInt(4) == 0 ? orders.insert(random.nextInt(1_000_000)) : orders.update(random.nextInt(5_000));
                    w.write(e, epoch);
                    batch.add(e);
                    next += intervalNs;
                }
                if (now >= nextTrigger) {
                    w.prepare(epoch++);
                    long visible = System.currentTimeMillis();
                    for (ChangeEvent e : batch) freshness.recordValue(Math.max(0, visible - e.commitTimeMs()));
                    committedRows += batch.size();
                    batch.clear();
                    nextTrigger += triggerMs * 1_000_000L;
                } else {
                    Thread.sleep(0, 200_000);
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("%n## Steady load (%d changes/s offered, 3/4 updates of 5,000 hot keys, commit every %d ms, %d s)%n",
                    rate, triggerMs, seconds);
            System.out.printf("| rows committed | rows/s | freshness p50 ms | p99 ms | max ms |%n|---|---|---|---|---|%n");
            System.out.printf("| %d | %.0f | %d | %d | %d |%n", committedRows, committedRows / elapsed,
                    freshness.getValueAtPercentile(50), freshness.getValueAtPercentile(99), freshness.getMaxValue());
            System.out.println("(freshness = source commit time → the batch's Iceberg commit returned; half the trigger"
                    + " interval is waiting for the batch to close)");
        }
    }

    /** Per commit: [commit ms]; per bucket end: [read ms]. */
    private static long[][] commitSeries(Path warehouse, String namespace, Upkeep upkeep, int commits, int rows, int keys)
            throws Exception {
        SyntheticOrders orders = new SyntheticOrders();
        Random random = new Random(11);
        long[] commitMs = new long[commits];
        long[] readMs = new long[(commits + BUCKET - 1) / BUCKET];
        try (IcebergSink sink = sink(warehouse, namespace, upkeep); SinkWriter w = sink.openWriter(0, 1)) {
            for (int id = 0; id < keys; id++) w.write(orders.insert(id), 0);
            w.prepare(0);
            for (int c = 0; c < commits; c++) {
                for (int i = 0; i < rows; i++) w.write(orders.update(random.nextInt(keys)), c + 1);
                long t0 = System.nanoTime();
                w.prepare(c + 1);
                commitMs[c] = (System.nanoTime() - t0) / 1_000_000;
                if ((c + 1) % BUCKET == 0 || c == commits - 1) {
                    readMs[c / BUCKET] = readAllMs(sink.catalog().loadTable(sink.tableFor(SyntheticOrders.TABLE)), keys);
                }
            }
        }
        return new long[][]{commitMs, readMs};
    }

    private static long readAllMs(Table table, int expectedRows) throws Exception {
        long t0 = System.nanoTime();
        long n = 0;
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
            for (Record ignored : rows) n++;
        }
        if (n != expectedRows) {
            throw new IllegalStateException("Cannot trust the benchmark: the table holds " + n + " rows, expected "
                    + expectedRows + ". The upsert path lost or duplicated rows.");
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void printCommitTable(int commits, int rows, Duration upkeepEvery, long[][] off, long[][] on) {
        System.out.printf("%n## %d consecutive commits of %d random-key updates (table of %d keys), upkeep off vs on (every %ds)%n",
                commits, rows, Integer.getInteger("bench.keys", 20_000), upkeepEvery.toSeconds());
        System.out.println("| commits | median commit ms, off | on | full-table read ms, off | on |");
        System.out.println("|---|---|---|---|---|");
        for (int b = 0; b * BUCKET < commits; b++) {
            int from = b * BUCKET;
            int to = Math.min(commits, from + BUCKET);
            System.out.printf("| %d–%d | %d | %d | %d | %d |%n", from + 1, to, median(off[0], from, to), median(on[0], from, to),
                    off[1][b], on[1][b]);
        }
    }

    private static long median(long[] values, int from, int to) {
        long[] slice = Arrays.copyOfRange(values, from, to);
        Arrays.sort(slice);
        return slice[slice.length / 2];
    }

    private IcebergBench() {
    }
}
