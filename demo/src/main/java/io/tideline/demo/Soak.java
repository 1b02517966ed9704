package io.tideline.demo;

import io.tideline.config.TidelineConfig;
import io.tideline.daemon.verify.Verification;
import io.tideline.testkit.KafkaBroker;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/tideline soak --minutes 60}: the daemon (its own OS process, both sinks) under the demo's steady mixed
 * load for a long while, sampled every minute: heap after a full GC, RSS, WAL held by the slot, epoch commit time and
 * Kafka p99. All must stay flat; the samples go to {@code <out>/soak.md} (with the first-third/last-third ratios)
 * and {@code <out>/soak.png}. Ends with {@code verify}, so an hour of changes is also checked for loss and doubles.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Runs the daemon under a steady load for a long time, sampling memory, WAL, commit time and latency.")
public final class Soak implements Callable<Integer> {

    @Option(names = "--minutes", defaultValue = "60", description = "How long to run (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--rate", defaultValue = "100", description = "Workload transactions per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--sample-seconds", defaultValue = "60", description = "Seconds between samples (default: ${DEFAULT-VALUE}).")
    int sampleSeconds;

    @Option(names = "--dir", defaultValue = "tideline-soak", description = "Working directory (default: ${DEFAULT-VALUE}); emptied first.")
    Path dir;

    @Option(names = "--out", defaultValue = "bench/soak", description = "Where soak.md and soak.png go (default: ${DEFAULT-VALUE}).")
    Path out;

    private final PrintStream console = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Soak()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        dir = dir.toAbsolutePath();
        DemoCommand.deleteRecursively(dir);
        Files.createDirectories(dir);
        Files.createDirectories(out);
        io.tideline.daemon.Logging.toFile(dir.resolve("soak.log"));
        List<SoakSample> samples = new ArrayList<>();
        try (DemoDatabase db = DemoDatabase.embedded(); KafkaBroker kafka = KafkaBroker.openIn(dir.resolve("kafka"))) {
            try (Connection c = db.connect()) {
                DemoSchema.create(c);
            }
            Path config = DemoConfig.write(dir, db, kafka.bootstrapServers());
            DemoWorkload workload = new DemoWorkload(db, rate, () -> false);
            workload.start();
            Path log = dir.resolve("daemon.log");
            Process daemon = DaemonChild.start(config, log);
            try {
                SoakSample.Probe probe = new SoakSample.Probe(daemon.pid(), httpBase(log, daemon));
                console.printf("soak: %.0f minutes at %d tx/s, a sample every %d s (daemon pid %d, log %s)%n%s%n",
                        minutes, rate, sampleSeconds, daemon.pid(), log, SoakSample.HEADER);
                long start = System.nanoTime();
                long end = start + (long) (minutes * 60e9);
                while (System.nanoTime() < end) {
                    if (daemon.waitFor(sampleSeconds, TimeUnit.SECONDS)) {
                        console.println("soak: the daemon exited with " + daemon.exitValue() + "; see " + log);
                        return 1;
                    }
                    if (workload.failure() != null) throw new IllegalStateException("the workload failed", workload.failure());
                    SoakSample s = probe.take((System.nanoTime() - start) / 60e9, workload.transactions());
                    samples.add(s);
                    console.println(s.row());
                }
                workload.close();
                TidelineConfig cfg = TidelineConfig.load(config, Map.of("TIDELINE_DEMO_PG_PASSWORD", db.password()));
                boolean equal = new Verification(cfg, Duration.ofMinutes(3), 5, new PrintWriter(console, true)).run();
                String report = String.format("# Tideline soak, %s: %s minutes at %d tx/s%n%nReproduce: `bin/tideline soak"
                        + " --minutes %s --rate %d` (2 cores here; the daemon with -Xmx768m).%n%n", LocalDate.now(),
                        minutesText(), rate, minutesText(), rate) + report(samples, workload.transactions(), equal);
                Files.writeString(out.resolve("soak.md"), report);
                String m = minutesText();
                SoakChart.write(samples, String.format("Tideline soak, %s: %s min at %d tx/s (bin/tideline soak --minutes %s --rate %d)",
                        LocalDate.now(), m, rate, m, rate), out.resolve("soak.png"));
                console.println(report);
                console.println("soak: wrote " + out.resolve("soak.md") + " and " + out.resolve("soak.png"));
                return equal ? 0 : 1;
            } finally {
                daemon.destroy();
                if (!daemon.waitFor(30, TimeUnit.SECONDS)) daemon.destroyForcibly();
                workload.close();
            }
        }
    }

    private String minutesText() {
        return minutes == Math.rint(minutes) ? Long.toString((long) minutes) : Double.toString(minutes);
    }

    /** The daemon's HTTP address, from the line it logs once it serves; bounded to two minutes. */
    private static String httpBase(Path log, Process daemon) throws Exception {
        String marker = "/metrics on http://";
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    int i = line.indexOf(marker);
                    if (i >= 0) return "http://" + line.substring(i + marker.length()).strip();
                }
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the daemon did not serve HTTP within 2 minutes; see " + log);
    }

    /** The samples as a table, and each measure's mean over the last third against the first (after minute 1). */
    static String report(List<SoakSample> samples, long transactions, boolean equal) {
        StringBuilder b = new StringBuilder("```\n").append(SoakSample.HEADER).append('\n');
        samples.forEach(s -> b.append(s.row()).append('\n'));
        b.append("```\n\n| measure | first third | last third | last / first |\n|---|---|---|---|\n");
        List<SoakSample> steady = samples.stream().filter(s -> s.minute() >= 1.5).toList();
        int third = Math.max(1, steady.size() / 3);
        List<SoakSample> first = steady.subList(0, Math.min(third, steady.size()));
        List<SoakSample> last = steady.subList(Math.max(0, steady.size() - third), steady.size());
        row(b, "heap after full GC (MB)", first, last, SoakSample::heapMb);
        row(b, "RSS (MB)", first, last, SoakSample::rssMb);
        row(b, "WAL held (MB)", first, last, SoakSample::walMb);
        row(b, "epoch commit (ms)", first, last, SoakSample::epochCommitMs);
        row(b, "Kafka p99 (ms)", first, last, SoakSample::kafkaP99Ms);
        b.append(String.format("%n%,d transactions; verify: %s%n", transactions,
                equal ? "every sink equals PostgreSQL (0 lost, 0 duplicated)" : "SINKS DIFFER"));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, List<SoakSample> first, List<SoakSample> last,
                            ToDoubleFunction<SoakSample> f) {
        double a = first.stream().mapToDouble(f).average().orElse(0);
        double z = last.stream().mapToDouble(f).average().orElse(0);
        b.append(String.format("| %s | %.1f | %.1f | %s |%n", name, a, z, a == 0 ? "n/a" : String.format("%.2f", z / a)));
    }
}
