package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the end-to-end tests share: a bounded wait on a running daemon, its HTTP endpoints, a base configuration. */
final class E2e {

    private E2e() {
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Polls until {@code condition} holds, failing with the daemon's log when it exits or {@code timeout} passes. */
    static void await(Check condition, DaemonProcess daemon, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) fail("timed out after " + timeout + " waiting for " + what + "; daemon log:\n" + daemon.tail());
            if (!daemon.isAlive()) fail("daemon exited unexpectedly while waiting for " + what + ":\n" + daemon.tail());
            Thread.sleep(250);
        }
    }

    record Http(int status, String body) {
    }

    /** GET with timeouts; a connection failure is status -1. */
    static Http get(String url) {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                    .send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
            return new Http(r.statusCode(), r.body());
        } catch (Exception e) {
            return new Http(-1, e.toString());
        }
    }

    /** The daemon's HTTP address, from the line it logs once it serves (with tideline.http.port=0). */
    static String httpBase(DaemonProcess daemon, Path log) throws Exception {
        String marker = "/metrics on http://";
        daemon.awaitLine(marker, Duration.ofSeconds(60));
        for (String line : Files.readAllLines(log)) {
            int i = line.indexOf(marker);
            if (i >= 0) return "http://" + line.substring(i + marker.length()).strip();
        }
        throw new AssertionError("no HTTP address in the daemon log " + log);
    }

    /** Source settings for {@code db} on {@code pg}, a state dir, the Kafka sink on {@code kafka}, a free HTTP port. */
    /** Drops a test's replication slot unless a process still holds it, so the shared cluster does not keep its WAL. */
    static void dropSlot(PostgresCluster pg, String db, String slot) {
        pg.executeIn(db, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot
                + "' AND NOT active");
    }

    static List<String> config(PostgresCluster pg, String db, String slot, Path state, KafkaBroker kafka, String topicPrefix) {
        return new ArrayList<>(List.of(
                "tideline.source.database.hostname=" + pg.host(),
                "tideline.source.database.port=" + pg.port(),
                "tideline.source.database.user=" + pg.user(),
                "tideline.source.database.password=" + pg.password(),
                "tideline.source.database.dbname=" + db,
                "tideline.source.slot.name=" + slot,
                "tideline.state.dir=" + state,
                "tideline.sink.kafka.enabled=true",
                "tideline.sink.kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "tideline.sink.kafka.topic.prefix=" + topicPrefix,
                "tideline.http.port=0"));
    }

    record Cli(int exitCode, String output) {
    }

    /** {@code tideline <args>} in a child JVM, bounded to 60 s; stdout and stderr together. */
    static Cli cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "io.tideline.daemon.Main"));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("tideline-cli", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            fail("tideline " + String.join(" ", args) + " did not finish within 60 s:\n" + Files.readString(out));
        }
        String text = Files.readString(out);
        Files.deleteIfExists(out);
        return new Cli(p.exitValue(), text);
    }

    /** Turns the Iceberg sink on, into {@code namespace} of {@code warehouse}, committing every {@code trigger}. */
    static List<String> iceberg(List<String> lines, io.tideline.testkit.IcebergWarehouse warehouse, String namespace, String trigger) {
        lines.addAll(List.of("tideline.sink.iceberg.enabled=true", "tideline.sink.iceberg.namespace=" + namespace,
                "tideline.sink.iceberg.trigger.interval=" + trigger));
        warehouse.catalogProperties().forEach((k, v) -> lines.add("tideline.sink.iceberg.catalog." + k + "=" + v));
        return lines;
    }

    static Path write(Path file, List<String> lines) throws Exception {
        Files.writeString(file, String.join("\n", lines) + "\n");
        return file;
    }
}
