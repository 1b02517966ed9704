package io.tideline.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml's configuration without Docker: the daemon runs deploy/tideline.properties unchanged (its
 * endpoints from the environment, as compose would set them) against stand-ins for the stack's MinIO (s3proxy) and
 * Iceberg REST catalog (Iceberg's own REST server), with deploy/init's schema and workload on a real PostgreSQL and a
 * real broker. validate passes, the snapshot and the workload reach Kafka and Iceberg tables whose files are on the
 * S3 stand-in, and verify finds both sinks equal to PostgreSQL.
 */
class ComposeConfigIT {

    /**
     * s3proxy checks payload hashes the way S3 did before AWS SDK 2.30 made flexible checksums the default; MinIO
     * and S3 accept both. The SDK's own switches turn the new default off for the clients talking to the stand-in.
     */
    private static final String[] CHECKSUMS_WHEN_REQUIRED = {
            "-Daws.requestChecksumCalculation=when_required", "-Daws.responseChecksumValidation=when_required"};

    @TempDir
    Path tmp;

    @Test
    void theComposePropertiesReplicateIntoKafkaAndIntoIcebergOnS3ThroughARestCatalog() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("app");
        pg.executeIn(db, Files.readString(root.resolve("deploy/init/01-app.sql")));
        String catalogDb = pg.createDatabase("rest_catalog");
        int s3Port = freePort();
        int restPort = freePort();

        Path standInsOut = tmp.resolve("standins.out");
        Path standIns = root.resolve("deploy-standins/target");
        Process services = new ProcessBuilder(java(), "-Xmx512m", CHECKSUMS_WHEN_REQUIRED[0], CHECKSUMS_WHEN_REQUIRED[1], "-cp",
                standIns.resolve("tideline-standins.jar") + ":" + standIns.resolve("lib") + "/*",
                "io.tideline.standins.ComposeStandIns", tmp.resolve("standins").toString(), Integer.toString(s3Port),
                Integer.toString(restPort), pg.jdbcUrl(catalogDb), pg.user(), pg.password(),
                Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).redirectOutput(standInsOut.toFile()).start();
        Process daemon = null;
        try {
            awaitLine(services, standInsOut, "stand-ins ready", 120);
            Map<String, String> env = new HashMap<>();
            env.put("TIDELINE_PG_HOST", pg.host());
            env.put("TIDELINE_PG_PORT", Integer.toString(pg.port()));
            env.put("TIDELINE_PG_USER", pg.user());
            env.put("POSTGRES_PASSWORD", pg.password());
            env.put("TIDELINE_PG_DB", db);
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
            env.put("ICEBERG_REST_URI", "http://127.0.0.1:" + restPort);
            env.put("S3_ENDPOINT", "http://127.0.0.1:" + s3Port);
            env.put("TIDELINE_STATE_DIR", tmp.resolve("state").toString());
            env.put("TIDELINE_EPOCH", "2s");
            env.put("TIDELINE_HTTP_PORT", "0");
            env.put("TIDELINE_NO_BUILD", "1");
            env.put("TIDELINE_JAVA_OPTS", String.join(" ", CHECKSUMS_WHEN_REQUIRED));
            String config = root.resolve("deploy/tideline.properties").toString();

            Cli validate = tideline(root, env, tmp.resolve("validate.out"), "validate", "--config", config);
            assertEquals(0, validate.code(), validate.output());

            Path daemonOut = tmp.resolve("daemon.out");
            daemon = start(root, env, daemonOut, "run", "--config", config);
            awaitLine(daemon, daemonOut, "Pipeline running", 120);
            String workload = Files.readString(root.resolve("deploy/init/workload.sql"));
            for (int round = 0; round < 20; round++) pg.executeIn(db, workload);

            Cli verify = tideline(root, env, tmp.resolve("verify.out"), "verify", "--config", config, "--timeout", "150s");
            System.out.println(verify.output());
            assertEquals(0, verify.code(), verify.output() + "\ndaemon failures:\n" + failures(daemonOut) + "\ndaemon:\n" + tail(daemonOut));
            assertTrue(verify.output().contains("RESULT: every sink holds all 2 tables as PostgreSQL does"), verify.output());
            try (Stream<Path> files = Files.walk(tmp.resolve("standins/s3/warehouse"))) {
                List<Path> parquet = files.filter(f -> f.toString().endsWith(".parquet")).toList();
                assertTrue(parquet.size() >= 2, "data files of both tables are on the S3 stand-in: " + parquet);
            }
            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "the daemon stops on SIGTERM");
            assertEquals(0, daemon.exitValue(), tail(daemonOut));
        } finally {
            if (daemon != null) daemon.destroyForcibly();
            services.destroyForcibly();
            services.waitFor(30, TimeUnit.SECONDS);
            pg.executeIn(db, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'tideline' AND NOT active");
        }
    }

    record Cli(int code, String output) {
    }

    private static Cli tideline(Path root, Map<String, String> env, Path out, String... args) throws Exception {
        Process p = start(root, env, out, args);
        if (!p.waitFor(200, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("tideline " + String.join(" ", args) + " did not finish:\n" + Files.readString(out));
        }
        return new Cli(p.exitValue(), Files.readString(out));
    }

    private static Process start(Path root, Map<String, String> env, Path out, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/tideline").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void awaitLine(Process p, Path out, String text, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!(Files.exists(out) && Files.readString(out).contains(text))) {
            if (!p.isAlive()) fail("exited with " + p.exitValue() + " before '" + text + "':\n" + tail(out));
            if (System.nanoTime() > deadline) fail("no '" + text + "' within " + seconds + " s:\n" + tail(out));
            Thread.sleep(250);
        }
    }

    private static String tail(Path out) throws IOException {
        if (!Files.exists(out)) return "(no output)";
        List<String> lines = Files.readAllLines(out);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static String failures(Path out) throws IOException {
        return String.join("\n", Files.readAllLines(out).stream().filter(l -> l.contains("failed") || l.contains("Exception")).limit(20).toList());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }
}
