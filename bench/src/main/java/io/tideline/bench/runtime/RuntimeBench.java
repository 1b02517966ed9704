package io.tideline.bench.runtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.idempotency.EpochLedger;
import io.tideline.runtime.EpochRuntime;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Real-time epoch runtime vs. 100 ms micro-batches, same work, same run: source → stage 1 (operators) → shuffle →
 * stage 2 (no-op sink). Prints throughput (closed loop: the source pushes as fast as it is let) and per-record
 * latency p50/p99/p99.9 (open loop at a fixed rate, measured from each record's scheduled send time), as a
 * markdown table with ratios.
 *
 * <pre>
 * java -cp "bench/target/tideline-bench.jar:bench/target/lib/*" io.tideline.bench.runtime.RuntimeBench \
 *     [--records=1000000] [--rate=20000] [--seconds=10] [--parallelism=2] [--batch-ms=100] [--epoch=1s]
 * </pre>
 */
public final class RuntimeBench {

    record Result(String path, String load, long records, double seconds, Histogram latency, String note) {
        double throughput() {
            return records / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) {
                System.err.println("Cannot read argument '" + a + "': expected --name=value.");
                System.exit(2);
            }
            opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        int records = Integer.parseInt(opts.getOrDefault("records", "1000000"));
        int rate = Integer.parseInt(opts.getOrDefault("rate", "20000"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int parallelism = Integer.parseInt(opts.getOrDefault("parallelism", "2"));
        int batchMs = Integer.parseInt(opts.getOrDefault("batch-ms", "100"));
        Duration epoch = Duration.parse("PT" + opts.getOrDefault("epoch", "1s").toUpperCase(Locale.ROOT));

        System.out.printf("# Runtime benchmark: %d cores, parallelism %d, JVM %s%n", Runtime.getRuntime().availableProcessors(),
                parallelism, System.getProperty("java.version"));
        System.out.println("load before: " + loadAverage());

        // warm-up: JIT both paths, results discarded
        realtime(new BenchWorkload(200_000, 0), parallelism, epoch, "warm-up", 0);
        baseline(new BenchWorkload(200_000, 0), parallelism, batchMs, "warm-up", 0);

        List<Result> results = new ArrayList<>();
        results.add(realtime(new BenchWorkload(records, 0), parallelism, epoch, "closed loop, " + records + " records", records / 10));
        results.add(baseline(new BenchWorkload(records, 0), parallelism, batchMs, "closed loop, " + records + " records", records / 10));
        int openRecords = rate * seconds;
        int skip = rate; // the first second is warm-up
        results.add(realtime(new BenchWorkload(openRecords, rate), parallelism, epoch, "open loop, " + rate + " rec/s", skip));
        results.add(baseline(new BenchWorkload(openRecords, rate), parallelism, batchMs, "open loop, " + rate + " rec/s", skip));
        System.out.println("load after:  " + loadAverage());
        System.out.println();
        print(results, batchMs, epoch);
    }

    private static Result realtime(BenchWorkload w, int parallelism, Duration epoch, String load, int skip) throws Exception {
        Path state = Files.createTempDirectory("tideline-bench-state");
        LatencySink sink = new LatencySink(w, skip);
        BenchSource source = new BenchSource(w);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String note;
        try (EpochLedger ledger = EpochLedger.open(state)) {
            EpochRuntime rt = EpochRuntime.builder().source(source).sink(sink).ledger(ledger).epochDuration(epoch)
                    .parallelism(parallelism).queueCapacity(4096).operators(w.operators)
                    .meterRegistry(registry).build();
            rt.run();
            var commit = registry.get("tideline.runtime.epoch.commit").timer();
            note = String.format(Locale.ROOT, "%d epochs committed, commit (ledger fsync + ack) max %.0f ms, %d coalesced",
                    (long) registry.get("tideline.runtime.epochs.committed").counter().count(),
                    commit.max(java.util.concurrent.TimeUnit.MILLISECONDS),
                    (long) registry.get("tideline.runtime.epochs.coalesced").counter().count());
        } finally {
            deleteTree(state);
        }
        check(sink, w);
        double secs = (sink.lastWriteNanos.get() - source.startNanos) / 1e9;
        return new Result("real-time epochs (" + epoch.toMillis() + " ms)", load, w.records, secs, sink.histogram(), note);
    }

    private static Result baseline(BenchWorkload w, int parallelism, int batchMs, String load, int skip) throws Exception {
        LatencySink sink = new LatencySink(w, skip);
        MicroBatchBaseline mb = new MicroBatchBaseline(w, sink, parallelism, batchMs, 1_000_000);
        long start = System.nanoTime();
        mb.run();
        check(sink, w);
        double secs = (sink.lastWriteNanos.get() - start) / 1e9;
        return new Result("micro-batch (" + batchMs + " ms)", load, w.records, secs, sink.histogram(), mb.batches + " batches");
    }

    private static void check(LatencySink sink, BenchWorkload w) {
        if (sink.written.get() != w.records) {
            throw new IllegalStateException("Cannot trust this run: the sink got " + sink.written.get() + " of "
                    + w.records + " records.");
        }
    }

    private static void print(List<Result> results, int batchMs, Duration epoch) {
        System.out.println("| load | path | records/s | p50 | p99 | p99.9 | max | note |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---|");
        for (Result r : results) {
            Histogram h = r.latency();
            System.out.printf(Locale.ROOT, "| %s | %s | %,.0f | %s | %s | %s | %s | %s |%n", r.load(), r.path(), r.throughput(),
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                    ms(h.getMaxValue()), r.note());
        }
        System.out.println();
        System.out.println("| load | throughput RT/MB | p50 MB/RT | p99 MB/RT | p99.9 MB/RT |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (int i = 0; i + 1 < results.size(); i += 2) {
            Result rt = results.get(i);
            Result mb = results.get(i + 1);
            System.out.printf(Locale.ROOT, "| %s | %.2fx | %.2fx | %.2fx | %.2fx |%n", rt.load(), rt.throughput() / mb.throughput(),
                    ratio(mb.latency(), rt.latency(), 50), ratio(mb.latency(), rt.latency(), 99), ratio(mb.latency(), rt.latency(), 99.9));
        }
        System.out.println();
        System.out.println("Latency = sink write time - source emit time (open loop: scheduled send time), per record;"
                + " the first 10% (closed loop) / first second (open loop) are excluded. MB/RT = how many times lower the"
                + " real-time latency is. Real-time epochs " + epoch.toMillis() + " ms, micro-batch trigger " + batchMs + " ms.");
    }

    private static double ratio(Histogram mb, Histogram rt, double p) {
        return (double) mb.getValueAtPercentile(p) / Math.max(1, rt.getValueAtPercentile(p));
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
