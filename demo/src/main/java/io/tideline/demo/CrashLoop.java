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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/tideline crash-loop --kills N [--seed S]}: the delivery guarantee under a seeded schedule of kill -9.
 * A mixed workload (the demo's: inserts, updates, deletes, multi-table transactions, a TOAST column, a table without
 * a key, an ADD COLUMN while running, plus a 50,000-row transaction every 20 s and three more connections whose
 * transactions stay open for tens of milliseconds and interleave) starts before the initial snapshot;
 * the daemon runs as its own OS process with both sinks and is killed with SIGKILL N times, each after a random
 * 2 to 14 s of running, and started again. Then the load stops and {@code tideline verify}, which reads only the
 * data, decides: every Kafka partition in position order with no position twice and its last record per key equal
 * to PostgreSQL, every Iceberg upsert table equal to PostgreSQL, every append table with no position twice. The seed
 * is printed and reproduces the schedule.
 */
@Command(name = "crash-loop", mixinStandardHelpOptions = true,
        description = "Kills the daemon with SIGKILL at seeded random moments under a mixed load, then verifies both sinks.")
public final class CrashLoop implements Callable<Integer> {

    @Option(names = "--kills", defaultValue = "5", description = "How many times to kill the daemon (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--seed", description = "Seed of the kill schedule (default: random, printed).")
    Long seed;

    @Option(names = "--dir", defaultValue = "tideline-crash-loop", description = "Working directory (default: ${DEFAULT-VALUE}); emptied first.")
    Path dir;

    @Option(names = "--rate", defaultValue = "40", description = "Workload transactions per second (default: ${DEFAULT-VALUE}).")
    int rate;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CrashLoop()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long s = seed != null ? seed : new Random().nextLong();
        Random random = new Random(s);
        dir = dir.toAbsolutePath();
        DemoCommand.deleteRecursively(dir);
        Files.createDirectories(dir);
        io.tideline.daemon.Logging.toFile(dir.resolve("crash-loop.log"));
        out.printf("crash loop: seed %d, %d kills (reproduce: bin/tideline crash-loop --kills %d --seed %d)%n", s, kills, kills, s);
        long started = System.nanoTime();
        List<String> schedule = new ArrayList<>();
        try (DemoDatabase db = DemoDatabase.embedded(); KafkaBroker kafka = KafkaBroker.openIn(dir.resolve("kafka"))) {
            try (Connection c = db.connect()) {
                DemoSchema.create(c);
            }
            Path config = DemoConfig.write(dir, db, kafka.bootstrapServers(), "3s");
            // descriptions are rewritten with every price change: an unchanged TOAST value of a row the stream changes
            // during its snapshot is a documented limit (README, Known limits), not what this loop checks
            DemoWorkload workload = new DemoWorkload(db, rate, () -> false).withBulkEvery(20).withInterleavedConnections(3);
            workload.start();
            Process daemon = startDaemon(config, 0);
            try {
                for (int k = 1; k <= kills; k++) {
                    long runMs = 2000 + random.nextInt(12_000);
                    if (daemon.waitFor(runMs, TimeUnit.MILLISECONDS)) {
                        out.println("crash loop: the daemon exited by itself with " + daemon.exitValue() + "; see " + dir.resolve("daemon-" + (k - 1) + ".log"));
                        return 1;
                    }
                    daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    schedule.add(String.format(Locale.ROOT, "%.1fs", runMs / 1000.0));
                    out.printf("crash loop: kill %d of %d after %.1f s of running (%,d transactions so far)%n", k, kills,
                            runMs / 1000.0, workload.transactions());
                    daemon = startDaemon(config, k);
                }
                Thread.sleep(5000);
                workload.close();
                if (workload.failure() != null) {
                    out.println("crash loop: the workload failed: " + workload.failure().getMessage());
                    return 1;
                }
                out.printf("crash loop: load stopped after %,d transactions (%d of 50,000 rows); verifying%n",
                        workload.transactions(), workload.bulkTransactions());
                TidelineConfig cfg = TidelineConfig.load(config, java.util.Map.of("TIDELINE_DEMO_PG_PASSWORD", db.password()));
                PrintWriter report = new PrintWriter(out, true);
                boolean equal = new Verification(cfg, Duration.ofMinutes(3), 5, report).run();
                long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
                out.printf("crash loop: seed %d, %d kills after %s, %,d transactions, %s in %d s%n", s, kills,
                        String.join(" ", schedule), workload.transactions(),
                        equal ? "0 lost, 0 duplicated: every sink equals PostgreSQL" : "SINKS DIFFER", seconds);
                return equal ? 0 : 1;
            } finally {
                daemon.destroy();
                if (!daemon.waitFor(30, TimeUnit.SECONDS)) daemon.destroyForcibly();
                workload.close();
            }
        }
    }

    private Process startDaemon(Path config, int run) throws Exception {
        return DaemonChild.start(config, dir.resolve("daemon-" + run + ".log"));
    }
}
