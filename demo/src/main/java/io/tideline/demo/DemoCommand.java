package io.tideline.demo;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideline.config.TidelineConfig;
import io.tideline.daemon.Daemon;
import io.tideline.daemon.PipelineProvider;
import io.tideline.daemon.PipelineState;
import io.tideline.testkit.KafkaBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs Tideline end to end on this machine until Ctrl-C: an embedded PostgreSQL with a small shop",
                "schema and a steady workload, a single-node Kafka broker, a local Iceberg warehouse, and the daemon",
                "replicating into both. Prints a status line every few seconds; on Ctrl-C it stops everything and",
                "prints where the data is and how to look at it (--show)."})
final class DemoCommand implements Callable<Integer> {

    private static final List<String> OWNED = List.of("kafka", "iceberg", "state", "tideline.log", "tideline.properties");

    @Option(names = "--dir", defaultValue = "tideline-demo", paramLabel = "DIR",
            description = "Where the demo keeps Kafka's log dir, the Iceberg warehouse, the daemon's state, config and"
                    + " log (default: ${DEFAULT-VALUE}). A new run starts over in it.")
    Path dir;

    @Option(names = "--pg-url", paramLabel = "URL",
            description = "Use an existing PostgreSQL with wal_level=logical instead of the embedded one:"
                    + " postgresql://user:password@host:port/database. The demo creates the schema "
                    + DemoSchema.SCHEMA + " there and drops its slot when it stops.")
    String pgUrl;

    @Option(names = "--rate", defaultValue = "20", paramLabel = "TX_PER_S",
            description = "Workload transactions per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--status-interval", defaultValue = "5", paramLabel = "SECONDS",
            description = "Seconds between status lines (default: ${DEFAULT-VALUE}).")
    int statusSeconds;

    @Option(names = "--no-daemon", description = "Start PostgreSQL, Kafka and the workload, write the config, but"
            + " leave running the daemon to you (bin/tideline run --config DIR/tideline.properties): for replay tests"
            + " that kill it.")
    boolean noDaemon;

    @Option(names = "--load-seconds", defaultValue = "0", paramLabel = "SECONDS",
            description = "Stop the workload after this many seconds and keep everything else running (0: until"
                    + " Ctrl-C, the default).")
    int loadSeconds;

    @Option(names = "--show", description = "Do not run: print what an earlier run left in --dir (Kafka topics and"
            + " Iceberg tables) and exit.")
    boolean show;

    @Option(names = "--limit", defaultValue = "3", paramLabel = "N",
            description = "With --show: records and rows printed per topic and table (default: ${DEFAULT-VALUE}).")
    int limit;

    private final PrintStream out = System.out;

    Path dir() {
        return dir;
    }

    /** Removes what an earlier run left (only the demo's own entries of --dir) so this run starts over. */
    void prepareDir() {
        try {
            Files.createDirectories(dir);
            if (!show) {
                for (String name : OWNED) {
                    deleteRecursively(dir.resolve(name));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot use --dir " + dir.toAbsolutePath() + ": " + e.getMessage()
                    + ". Pick a directory you can write to.", e);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (show) {
            return new DemoShow(dir, limit, out).run();
        }
        if (rate < 1 || statusSeconds < 1) {
            out.println("Cannot run the demo: --rate and --status-interval must be at least 1.");
            return 2;
        }
        dir = dir.toAbsolutePath();
        CountDownLatch stopAsked = new CountDownLatch(1);
        for (String signal : List.of("INT", "TERM")) {
            Signal.handle(new Signal(signal), s -> stopAsked.countDown());
        }
        long started = System.nanoTime();
        out.println("Tideline demo in " + dir + " (Ctrl-C stops it; the daemon's log is " + dir.resolve("tideline.log") + ")");
        DemoDatabase db = null;
        KafkaBroker kafka = null;
        Daemon daemon = null;
        DemoWorkload workload = null;
        int exit = 0;
        try {
            out.println("  starting PostgreSQL ...");
            db = pgUrl == null ? DemoDatabase.embedded() : DemoDatabase.existing(pgUrl);
            if (pgUrl != null) {
                db.dropReplicationObjects();   // an earlier run's, whose state this run wiped
            }
            try (Connection c = db.connect()) {
                DemoSchema.create(c);
            }
            out.println("  " + db.describe() + ": schema " + DemoSchema.SCHEMA + " with tables " + DemoSchema.TABLES
                    + " (page_views has no primary key)");
            out.println("  starting a Kafka broker (KRaft, child JVM) ...");
            kafka = KafkaBroker.openIn(dir.resolve("kafka"));
            out.println("  Kafka on " + kafka.bootstrapServers() + ", Iceberg warehouse " + dir.resolve("iceberg"));
            Path config = DemoConfig.write(dir, db, kafka.bootstrapServers());
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("TIDELINE_DEMO_PG_PASSWORD", db.password());
            AtomicReference<MeterRegistry> registry = new AtomicReference<>();
            if (noDaemon) {
                out.println("  config " + config + " (the daemon is yours to run: bin/tideline run --config " + config + ")");
            } else {
                daemon = new Daemon(TidelineConfig.load(config, env), (cfg, r) -> {
                    registry.set(r);
                    return PipelineProvider.DEFAULT.create(cfg, r);
                });
                daemon.start();
                out.println("  daemon running on " + config + "; http://127.0.0.1:" + daemon.httpPort() + "/health/ready and /metrics");
            }
            workload = new DemoWorkload(db, rate, () -> DemoStatus.snapshotDone(registry.get()));
            workload.start();
            long loadStarted = System.nanoTime();
            out.println("  workload: " + rate + " transactions/s (orders, updates, deletes, page views, TOAST, a new"
                    + " column after 20 s)" + (loadSeconds > 0 ? " for " + loadSeconds + " s" : ""));
            DemoStatus status = new DemoStatus(registry::get, workload);
            boolean loadRunning = true;
            while (!stopAsked.await(statusSeconds, TimeUnit.SECONDS)) {
                if (loadRunning && loadSeconds > 0 && System.nanoTime() - loadStarted >= TimeUnit.SECONDS.toNanos(loadSeconds)) {
                    workload.close();
                    loadRunning = false;
                    out.println("workload stopped after " + loadSeconds + " s: " + workload.transactions() + " transactions");
                }
                if (daemon != null && (daemon.state() == PipelineState.FAILED || daemon.state() == PipelineState.STOPPED)) {
                    out.println("The daemon stopped: " + (daemon.failure() == null ? daemon.state() : daemon.failure().getMessage())
                            + ". See " + dir.resolve("tideline.log") + ".");
                    exit = 1;
                    break;
                }
                if (workload.failure() != null) {
                    out.println("The workload stopped: " + workload.failure().getMessage());
                    exit = 1;
                    break;
                }
                out.println(status.line());
            }
            out.println("Stopping: workload, daemon (it finishes its epoch), Kafka, PostgreSQL ...");
            workload.close();
            if (daemon != null) {
                daemon.shutdown();
                out.println(status.line());
                if (daemon.exitCode() != 0) {
                    exit = 1;
                }
            }
        } catch (RuntimeException | IOException e) {
            out.println("Cannot run the demo: " + e.getMessage());
            exit = 1;
        } finally {
            if (workload != null) {
                workload.close();
            }
            if (daemon != null) {
                daemon.shutdown();
            }
            if (kafka != null) {
                kafka.close();
            }
            if (db != null) {
                db.close();
            }
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        printWhereTheDataIs(seconds);
        return exit;
    }

    private void printWhereTheDataIs(long seconds) {
        out.printf("Stopped after %d:%02d. The data stays in %s:%n", seconds / 60, seconds % 60, dir);
        out.println("  Kafka topics   " + String.join(", ", DemoSchema.TABLES.stream().map(DemoConfig::topic).toList())
                + " (log dir kafka/)");
        out.println("  Iceberg tables " + String.join(", ", DemoSchema.TABLES.stream()
                .map(t -> DemoConfig.NAMESPACE + "." + DemoConfig.icebergTable(t)).toList())
                + " (Hadoop catalog, warehouse iceberg/)");
        out.println("  the daemon's config tideline.properties, log tideline.log, state state/");
        out.println("Look at it:");
        out.println("  bin/tideline demo --show --dir " + dir + "     # topic and table counts and their latest rows");
        out.println("  spark-sql --packages org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.10.0 \\");
        out.println("    --conf spark.sql.catalog.demo=org.apache.iceberg.spark.SparkCatalog \\");
        out.println("    --conf spark.sql.catalog.demo.type=hadoop --conf spark.sql.catalog.demo.warehouse=" + dir.resolve("iceberg") + " \\");
        out.println("    -e 'SELECT status, count(*) FROM demo." + DemoConfig.NAMESPACE + "." + DemoConfig.icebergTable("orders")
                + " GROUP BY status'");
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
