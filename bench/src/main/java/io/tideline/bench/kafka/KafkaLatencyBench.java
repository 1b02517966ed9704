package io.tideline.bench.kafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;

/**
 * Postgres → Kafka benchmark of issue 5: on one PostgreSQL and one broker, measures each capture path in turn
 * on a fresh table, slot and topic — latency from the <em>scheduled</em> send of a single-row transaction to
 * the consumer receiving it (open loop), then bulk throughput — and prints a markdown table with the target
 * ratios of this run.
 *
 * <p>Run: {@code java -cp "bench/target/tideline-bench.jar:bench/target/lib/*" io.tideline.bench.kafka.KafkaLatencyBench --help}
 */
public final class KafkaLatencyBench {
    private static final Duration STALL = Duration.ofSeconds(60);
    /** How often a Kafka bulk run's end offset is read: it only decides when to stop, the rate comes from append times. */
    private static final long END_OFFSET_POLL_MS = 250;
    private final BenchOptions options;
    private final BenchServices services;

    private KafkaLatencyBench(BenchOptions options, BenchServices services) {
        this.options = options;
        this.services = services;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        String loadBefore = uptime();
        System.out.println("Load before: " + loadBefore);
        Map<String, PathResult> results;
        BenchServices services = BenchServices.start(options);
        Thread stopper = new Thread(services::close, "bench-services-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            System.out.println("PostgreSQL " + services.jdbcUrl() + ", Kafka " + services.bootstrap);
            results = new KafkaLatencyBench(options, services).runAll();
        } finally {
            services.close();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
        String report = Report.render(options, results, loadBefore, uptime());
        System.out.println(report);
        Path out = Path.of("bench", "target", "kafka-latency-bench.md");
        if (Files.isDirectory(out.getParent())) {
            Files.writeString(out, report);
            System.out.println("Written to " + out);
        }
        System.exit(0); // Debezium and Kafka clients may leave non-daemon threads behind
    }

    private Map<String, PathResult> runAll() {
        Map<String, PathResult> results = new LinkedHashMap<>();
        // Latency first (Tideline last, as it is the newest code), then bulk throughput.
        for (String key : new String[] {"floor", "baseline", "tideline"}) {
            if (options.paths.contains(key)) {
                PathResult r = results.computeIfAbsent(key, k -> new PathResult(k, newPath(k).label()));
                try {
                    r.latency = latency(newPath(key), key + "_lat");
                } catch (Exception | LinkageError e) {
                    r.latencyError = describe(e);
                    System.out.println("  failed: " + r.latencyError);
                }
            }
        }
        if (options.bulkRows > 0) {
            List<String> bulkPaths = new ArrayList<>();
            for (String key : new String[] {"floor", "engine", "tideline"}) {
                if (options.paths.contains(key)) {
                    bulkPaths.add(key);
                    results.computeIfAbsent(key, k -> new PathResult(k, newPath(k).label()));
                }
            }
            if (options.bulkWarmupRows > 0) {
                for (String key : bulkPaths) {
                    bulkRound(results.get(key), key + "_warm", options.bulkWarmupRows);
                }
            }
            // Rounds interleave the paths, so a slow spell of a shared 2-core box hits every path, not one.
            for (int round = 1; round <= options.bulkRounds; round++) {
                for (String key : bulkPaths) {
                    PathResult r = results.get(key);
                    PathResult.Bulk b = bulkRound(r, key + "_bulk" + round, options.bulkRows);
                    if (b != null) {
                        r.bulkRuns.add(b);
                    }
                }
            }
            for (String key : bulkPaths) {
                PathResult r = results.get(key);
                r.bulk = PathResult.median(r.bulkRuns);
            }
        }
        return results;
    }

    private CapturePath newPath(String key) {
        return switch (key) {
            case "floor" -> new FloorPath(services);
            case "baseline" -> new BaselinePath(services);
            case "engine" -> new EngineAlonePath(services);
            case "tideline" -> new TidelinePath(services, options.tidelineMode.equals("process"),
                    options.tidelineOverrides);
            default -> throw new IllegalArgumentException("Cannot run path " + key + ": unknown. Use --help.");
        };
    }

    private PathResult.Latency latency(CapturePath path, String name) throws Exception {
        System.out.println("Latency: " + path.label());
        Fixture fixture = Fixture.create(services, name);
        Receipts receipts = new Receipts();
        try (TopicReader reader = new TopicReader(services.bootstrap, fixture.topic, receipts)) {
            OpenLoopLoad.Result sent;
            try (path) {
                path.start(fixture, receipts);
                awaitSlotActive(fixture, path);
                Thread.sleep(1000);
                OpenLoopLoad load = new OpenLoopLoad(services, fixture, options.rate,
                        options.warmup.toNanos(), options.duration.toNanos());
                long start = System.nanoTime() + 100_000_000L;
                receipts.measure(BenchClock.toMicros(start + options.warmup.toNanos()),
                        BenchClock.toMicros(start + options.warmup.toNanos() + options.duration.toNanos()));
                sent = load.run(start);
                await(receipts::distinct, sent.sent(), options.drain, path, reader);
                Thread.sleep(500); // late duplicates still count
            }
            reader.close();
            Histogram h = receipts.histogram();
            PathResult.Latency l = new PathResult.Latency(h.getValueAtPercentile(50), h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9), h.getMaxValue(), receipts.duplicates(),
                    receipts.missing(sent.sent()), sent.sent(), receipts.worstPerSecond(), sent.maxBehindMicros());
            System.out.printf("  p50 %s, p99 %s, p99.9 %s, max %s, %d duplicates, %d missing of %d%n",
                    Report.ms(l.p50()), Report.ms(l.p99()), Report.ms(l.p999()), Report.ms(l.max()),
                    l.duplicates(), l.missing(), l.sent());
            System.out.printf("  worst per second (ms): %s; generator behind schedule by at most %s%n",
                    Report.perSecond(l.worstPerSecond()), Report.ms(l.generatorMaxBehindMicros()));
            return l;
        } finally {
            fixture.drop();
        }
    }

    /** One bulk run of a path that has not failed yet; null (and the path marked failed) when it fails. */
    private PathResult.Bulk bulkRound(PathResult r, String name, int rows) {
        if (r.bulkError != null) {
            return null;
        }
        try {
            return bulk(newPath(r.key), name, rows);
        } catch (Exception | LinkageError e) {
            r.bulkError = describe(e);
            System.out.println("  failed: " + r.bulkError);
            return null;
        }
    }

    /**
     * One bulk run: {@code rows} rows inserted before capture starts, then captured. A Kafka path is left alone
     * while it writes (the bench only polls the topic's end offset, so no consumer takes CPU from it); once it
     * stopped, the topic is read back and each row counts at its broker append time. The engine alone hands
     * rows to its consumer in this JVM, which records them as they come.
     */
    private PathResult.Bulk bulk(CapturePath path, String name, int rows) throws Exception {
        System.out.println("Bulk: " + path.label() + (name.endsWith("_warm") ? " (warm-up, discarded)"
                : ", round " + name.substring(name.lastIndexOf("_bulk") + 5)));
        Fixture fixture = Fixture.create(services, name);
        try {
            long t0 = System.nanoTime();
            BulkLoad.insert(services, fixture, rows, options.bulkTxRows);
            System.out.printf("  inserted %,d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);
            Receipts receipts = new Receipts();
            Duration timeout = Duration.ofSeconds(Math.max(180, rows / 1_000));
            long startMicros;
            try (path) {
                startMicros = path.writesToKafka() ? System.currentTimeMillis() * 1000 : BenchClock.nowMicros();
                path.start(fixture, receipts);
                if (path.writesToKafka()) {
                    awaitEndOffset(fixture, rows, timeout, path);
                    System.out.printf("  %,d records written after %.1f s; reading them back%n", fixture.endOffset(),
                            (System.currentTimeMillis() * 1000 - startMicros) / 1e6);
                } else {
                    await(receipts::distinct, rows, timeout, path, null);
                }
            }
            if (path.writesToKafka()) {
                long written = fixture.endOffset();
                try (TopicReader reader = TopicReader.appendTimes(services.bootstrap, fixture.topic, receipts)) {
                    await(() -> receipts.distinct() + receipts.duplicates(), written, timeout, path, reader);
                }
            }
            long first = receipts.firstReceiveMicros();
            long last = receipts.lastReceiveMicros();
            long got = receipts.distinct();
            double rate = got <= 1 ? 0 : (got - 1) * 1e6 / Math.max(1, last - first);
            double withStartup = got * 1e6 / Math.max(1, last - startMicros);
            PathResult.Bulk b = new PathResult.Bulk(rows, rate, withStartup, receipts.missing(rows),
                    receipts.duplicates());
            System.out.printf("  %,.0f rows/s (%,.0f rows/s from the start of capture), %d missing, %d duplicates%n",
                    b.rowsPerSecond(), b.rowsPerSecondWithStartup(), b.missing(), b.duplicates());
            return b;
        } finally {
            fixture.drop();
        }
    }

    /** Polls the topic's end offset until it holds {@code expected} records (or the path stalls or fails). */
    private static void awaitEndOffset(Fixture fixture, long expected, Duration timeout, CapturePath path)
            throws Exception {
        try (Admin admin = fixture.admin()) {
            await(() -> {
                try {
                    return fixture.endOffset(admin);
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot read the end offset of " + fixture.topic + ": " + e, e);
                }
            }, expected, timeout, path, null, END_OFFSET_POLL_MS);
        }
    }

    /** Waits until the path's walsender streams from the slot, so no path is measured during its start-up. */
    private void awaitSlotActive(Fixture fixture, CapturePath path) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        try (Connection c = services.connect(); Statement s = c.createStatement()) {
            while (true) {
                try (ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '"
                        + fixture.slot + "'")) {
                    if (rs.next() && rs.getBoolean(1)) {
                        return;
                    }
                }
                failIfStopped(path);
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cannot start " + path.label() + ": slot " + fixture.slot
                            + " is not streaming after 120 s. See the path's log.");
                }
                Thread.sleep(50);
            }
        }
    }

    /**
     * Waits for {@code expected} distinct rows; gives up after {@code timeout}, or after {@link #STALL} without a
     * new row (a path that lost rows would otherwise hold the run for the whole timeout).
     */
    private static void await(LongSupplier distinct, long expected, Duration timeout, CapturePath path,
                              TopicReader reader) throws Exception {
        await(distinct, expected, timeout, path, reader, 20);
    }

    private static void await(LongSupplier distinct, long expected, Duration timeout, CapturePath path,
                              TopicReader reader, long pollMs) throws Exception {
        long now = System.nanoTime();
        long deadline = now + timeout.toNanos();
        long lastProgress = now;
        long seen = distinct.getAsLong();
        while (seen < expected && now < deadline && now - lastProgress < STALL.toNanos()) {
            failIfStopped(path);
            if (reader != null) {
                reader.check();
            }
            Thread.sleep(pollMs);
            now = System.nanoTime();
            long d = distinct.getAsLong();
            if (d > seen) {
                seen = d;
                lastProgress = now;
            }
        }
        if (seen < expected) {
            System.out.printf("  gave up with %d of %d rows: %s%n", seen, expected, now >= deadline
                    ? "timeout of " + timeout.toSeconds() + " s" : "no new row for " + STALL.toSeconds() + " s");
        }
    }

    private static void failIfStopped(CapturePath path) {
        String failure = path.failure();
        if (failure != null) {
            throw new IllegalStateException("Cannot measure " + path.label() + ": it stopped: " + failure + ".");
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(" / ").append(c.getMessage());
            }
        }
        return sb.toString().replace('\n', ' ');
    }

    private static String uptime() {
        try {
            Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line = r.readLine();
                p.waitFor();
                return line == null ? "" : line.trim();
            }
        } catch (Exception e) {
            try {
                return "loadavg " + Files.readString(Path.of("/proc/loadavg")).trim();
            } catch (Exception e2) {
                return "unknown (" + e.getMessage() + ")";
            }
        }
    }
}
