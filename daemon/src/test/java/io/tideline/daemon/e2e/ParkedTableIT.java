package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bad table does not stop the others: a column type Iceberg cannot follow (int → text) parks that table; the
 * other table and Kafka go on, {@code /health/ready} names the parked table, the slot is held where the parked table
 * stopped (so nothing of it is lost), and after the documented fix (drop the Iceberg table, request a snapshot,
 * restart) both sinks end equal to PostgreSQL.
 */
class ParkedTableIT {

    @TempDir
    Path dir;

    @Test
    void anIncompatibleChangeParksOneTableWhileTheOtherAndKafkaGoOnAndTheFixRecoversIt() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("parked");
        pg.executeIn(db, "CREATE TABLE bad (id int PRIMARY KEY, v int)", "CREATE TABLE good (id int PRIMARY KEY, v int)",
                "INSERT INTO bad SELECT g, g FROM generate_series(1, 10) g", "INSERT INTO good SELECT g, g FROM generate_series(1, 10) g");
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            List<String> lines = E2e.config(pg, db, "parked", dir.resolve("state"), kafka, "prk");
            lines.addAll(List.of("tideline.source.table.include.list=public.bad,public.good", "tideline.runtime.epoch.duration=1s",
                    "tideline.source.heartbeat.interval=1s"));
            Path config = E2e.write(dir.resolve("parked.properties"), E2e.iceberg(lines, warehouse, "prk", "1s"));
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("run1.log"))) {
                E2e.await(() -> rows(warehouse, "bad") == 10 && rows(warehouse, "good") == 10, daemon, Duration.ofSeconds(90), "the snapshot");
                pg.executeIn(db, "ALTER TABLE bad ALTER COLUMN v TYPE text", "INSERT INTO bad VALUES (11, 'eleven')",
                        "INSERT INTO good VALUES (11, 11)");
                E2e.await(() -> daemon.logContains("is parked"), daemon, Duration.ofSeconds(60), "the bad table parked");
                long held = confirmedFlush(pg, db);
                for (int i = 12; i <= 30; i++) pg.executeIn(db, "INSERT INTO good VALUES (" + i + ", " + i + ")", "INSERT INTO bad VALUES (" + i + ", 'x')");
                E2e.await(() -> rows(warehouse, "good") == 30, daemon, Duration.ofSeconds(60), "the good table going on");
                E2e.await(() -> kafka.readAll("prk.public.bad", Duration.ofSeconds(10)).size() >= 30, daemon,
                        Duration.ofSeconds(60), "Kafka going on with the bad table's changes");
                assertTrue(daemon.isAlive(), daemon.tail());
                assertEquals(10, rows(warehouse, "bad"), "the parked table keeps what it had, nothing more");
                assertEquals(held, confirmedFlush(pg, db), "the slot is held where the parked table stopped");
                E2e.Http ready = E2e.get(E2e.httpBase(daemon, dir.resolve("run1.log")) + "/health/ready");
                assertEquals(503, ready.status(), ready.body());
                assertTrue(ready.body().contains("public.bad is parked") && ready.body().contains("'v'"), ready.body());
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
            // the documented fix: drop the Iceberg table, ask for a snapshot of it, restart
            warehouse.catalog().dropTable(TableIdentifier.of("prk", "bad"));
            E2e.Cli snapshot = E2e.cli("snapshot", "--config", config.toString(), "--table", "public.bad");
            assertEquals(0, snapshot.exitCode(), snapshot.output());
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("run2.log"))) {
                E2e.await(() -> rows(warehouse, "bad") == 30, daemon, Duration.ofSeconds(90), "the bad table back");
                E2e.Cli verify = E2e.cli("verify", "--config", config.toString(), "--timeout", "45s");
                System.out.println(verify.output());
                assertEquals(0, verify.exitCode(), verify.output());
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        } finally {
            E2e.dropSlot(pg, db, "parked");
        }
    }

    private static long rows(IcebergWarehouse warehouse, String table) {
        if (!warehouse.catalog().tableExists(TableIdentifier.of("prk", table))) return -1;
        return warehouse.readAll("prk", table).size();
    }

    private static long confirmedFlush(PostgresCluster pg, String db) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots WHERE slot_name = 'parked'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
