package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's idle-slot promise: while the captured tables are idle and another table takes a lot of writes, the
 * heartbeat lets an epoch acknowledge a position past them, so {@code confirmed_flush_lsn} moves and the slot releases
 * that WAL; the retained WAL is a metric.
 */
class IdleSlotIT {

    private static final String SLOT = "tideline_idle";

    @TempDir
    Path dir;

    @Test
    void writesToTablesThatAreNotCapturedDoNotPinTheSlot() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("idle");
        pg.executeIn(db, "CREATE TABLE captured (id int PRIMARY KEY, v text)", "INSERT INTO captured VALUES (1, 'x')",
                "CREATE TABLE noise (id bigint, pad text)");
        kafka.createTopic("idle.public.captured", 1);
        List<String> lines = E2e.config(pg, db, SLOT, dir.resolve("state"), kafka, "idle");
        lines.addAll(List.of("tideline.source.table.include.list=public.captured", "tideline.source.heartbeat.interval=1s",
                "tideline.runtime.epoch.duration=1s"));
        Path config = E2e.write(dir.resolve("tideline.properties"), lines);
        try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon.log"));
             Connection c = pg.connect(db); Statement s = c.createStatement()) {
            await(() -> Files.exists(dir.resolve("state/snapshot-state.json"))
                    && Files.readString(dir.resolve("state/snapshot-state.json")).contains("CAPTURED"), daemon, "the snapshot");
            s.execute("INSERT INTO noise SELECT g, repeat('n', 400) FROM generate_series(1, 40000) g"); // ~20 MB of WAL
            long written = lsn(s, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn");
            await(() -> lsn(s, "SELECT COALESCE(confirmed_flush_lsn - '0/0'::pg_lsn, 0) FROM pg_replication_slots"
                    + " WHERE slot_name = '" + SLOT + "'") >= written, daemon, "confirmed_flush_lsn past the writes to an uncaptured table");
            assertTrue(daemon.logContains("Serving GET"), daemon.tail());
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), "graceful stop exits 0:\n" + daemon.tail());
            // status works with the daemon down: the slot, the last committed epoch, the snapshot, Kafka's positions
            E2e.Cli status = E2e.cli("status", "--config", config.toString(), "--json");
            assertEquals(0, status.exitCode(), status.output());
            String json = status.output().substring(status.output().indexOf('{'));
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            assertEquals(SLOT, tree.path("slot").path("name").asText(), json);
            assertEquals(false, tree.path("slot").path("active").asBoolean(true), json);
            assertTrue(tree.path("slot").path("retainedWalBytes").asLong(-1) >= 0, json);
            assertTrue(tree.path("lastCommittedEpoch").path("epoch").asLong() > 0, json);
            assertEquals("CAPTURED", tree.path("snapshot").get(0).path("status").asText(), json);
            assertTrue(tree.path("kafka").get(0).path("position").asText().contains("/"), json);
            E2e.Cli text = E2e.cli("status", "--config", config.toString());
            assertEquals(0, text.exitCode(), text.output());
            assertTrue(text.output().contains("last epoch") && text.output().contains("idle.public.captured"), text.output());
        } finally {
            E2e.dropSlot(pg, db, SLOT);
        }
    }

    private static long lsn(Statement s, String sql) throws Exception {
        try (ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static void await(E2e.Check condition, DaemonProcess daemon, String what) throws Exception {
        E2e.await(condition, daemon, Duration.ofSeconds(90), what);
    }
}
