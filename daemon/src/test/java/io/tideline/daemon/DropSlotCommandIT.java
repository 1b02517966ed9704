package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tideline drop-slot}: removes slot, publication and state dir only with --yes, and never under a running daemon. */
class DropSlotCommandIT {

    @TempDir
    Path dir;

    @Test
    void dropsSlotPublicationAndStateDirOnlyWithYesAndNeverWhileTheSlotIsActive() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("dropslot");
        pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY)", "CREATE PUBLICATION gone_pub FOR TABLE t",
                "SELECT pg_create_logical_replication_slot('gone_slot', 'pgoutput')");
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.writeString(state.resolve("epochs.ledger"), "x");
        Path config = dir.resolve("c.properties");
        Files.writeString(config, String.join("\n",
                "tideline.source.database.hostname=" + pg.host(), "tideline.source.database.port=" + pg.port(),
                "tideline.source.database.user=" + pg.user(), "tideline.source.database.password=" + pg.password(),
                "tideline.source.database.dbname=" + db, "tideline.source.slot.name=gone_slot",
                "tideline.source.publication.name=gone_pub", "tideline.state.dir=" + state,
                "tideline.sink.kafka.enabled=true", "tideline.sink.kafka.bootstrap.servers=127.0.0.1:1", ""));

        CliRun withoutYes = CliRun.of("drop-slot", "--config", config.toString());
        assertEquals(2, withoutYes.exitCode(), withoutYes.all());
        assertTrue(withoutYes.all().contains("--yes") && withoutYes.all().contains("gone_slot"), withoutYes.all());
        assertEquals(1, count(pg, db, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'gone_slot'"));

        // an active slot (a walsender reads it) is refused
        try (Connection repl = java.sql.DriverManager.getConnection(pg.jdbcUrl(db) + (pg.jdbcUrl(db).contains("?") ? "&" : "?")
                + "replication=database&assumeMinServerVersion=10&preferQueryMode=simple", pg.user(), pg.password())) {
            var stream = repl.unwrap(org.postgresql.PGConnection.class).getReplicationAPI().replicationStream().logical()
                    .withSlotName("gone_slot").withSlotOption("proto_version", 1).withSlotOption("publication_names", "gone_pub").start();
            CliRun active = CliRun.of("drop-slot", "--config", config.toString(), "--yes");
            assertEquals(2, active.exitCode(), active.all());
            assertTrue(active.all().contains("is active"), active.all());
            stream.close();
        }
        for (int i = 0; i < 100 && count(pg, db, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'gone_slot' AND active") > 0; i++) {
            Thread.sleep(100);
        }
        assertTrue(Files.exists(state.resolve("epochs.ledger")), "nothing removed while the slot was active");

        CliRun yes = CliRun.of("drop-slot", "--config", config.toString(), "--yes");
        assertEquals(0, yes.exitCode(), yes.all());
        assertEquals(0, count(pg, db, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'gone_slot'"));
        assertEquals(0, count(pg, db, "SELECT count(*) FROM pg_publication WHERE pubname = 'gone_pub'"));
        assertFalse(Files.exists(state), "the state dir is removed");
    }

    private static long count(PostgresCluster pg, String db, String sql) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
