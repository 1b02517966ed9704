package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's faults around the daemon, each ended by {@code tideline verify} (which reads only the data): the Kafka
 * broker killed with SIGKILL and started again mid-epoch under load, PostgreSQL restarted with {@code -m immediate}
 * while a snapshot reads a table under load, and with {@code -m fast} mid-snapshot then {@code -m immediate}
 * mid-stream. The daemon waits both out; both sinks end equal to
 * PostgreSQL.
 */
class ServiceFaultsIT {

    @TempDir
    Path dir;

    private Path config(PostgresCluster pg, String db, String slot, KafkaBroker kafka, IcebergWarehouse warehouse) throws Exception {
        return config(dir, dir.resolve(slot + "-state"), pg, db, slot, kafka, warehouse);
    }

    /** Both sinks on table {@code t}, short epochs and backoff, small snapshot chunks, state in {@code state}. */
    static Path config(Path dir, Path state, PostgresCluster pg, String db, String slot, KafkaBroker kafka, IcebergWarehouse warehouse) throws Exception {
        List<String> lines = E2e.config(pg, db, slot, state, kafka, slot);
        lines.addAll(List.of("tideline.source.table.include.list=public.t", "tideline.runtime.epoch.duration=2s",
                "tideline.source.heartbeat.interval=1s", "tideline.sink.kafka.topic.partitions=3",
                "tideline.runtime.restart.backoff.max=2s", "tideline.source.snapshot.chunk.rows=2000"));
        return E2e.write(dir.resolve(slot + ".properties"), E2e.iceberg(lines, warehouse, slot, "1s"));
    }

    static void verifyEqual(Path config) throws Exception {
        E2e.Cli verify = E2e.cli("verify", "--config", config.toString(), "--timeout", "50s");
        System.out.println(verify.output());
        assertEquals(0, verify.exitCode(), verify.output());
        assertTrue(verify.output().contains("RESULT: every sink holds all 1 tables as PostgreSQL does"), verify.output());
    }

    @Test
    void aBrokerKilledAndRestartedMidEpochUnderLoadIsWaitedOutAndBothSinksEndEqual() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("broker_fault");
        pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)", "INSERT INTO t SELECT g, 0 FROM generate_series(1, 20000) g");
        try (KafkaBroker kafka = KafkaBroker.startNew(); IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            Path config = config(pg, db, "broker_fault", kafka, warehouse);
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("broker.log"))) {
                E2e.await(() -> daemon.logContains("Snapshot of public.t finished"), daemon, Duration.ofSeconds(120), "the snapshot");
                try (FaultLoad load = new FaultLoad(pg, db)) {
                    Thread.sleep(3000);
                    kafka.kill();
                    Thread.sleep(8000);
                    assertTrue(daemon.isAlive(), "the daemon waits for the broker:\n" + daemon.tail());
                    kafka.start();
                    Thread.sleep(5000);
                }
                verifyEqual(config);
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        } finally {
            E2e.dropSlot(pg, db, "broker_fault");
        }
    }

    /** A database of its own on {@code pg} (a private cluster these tests restart) with 100,000 rows in {@code t}. */
    private static String bigTable(PostgresCluster pg, String name) {
        Assumptions.assumeFalse(pg.isExternal(), "skipped: TIDELINE_TEST_PG_URL points at an external server, which this test would restart");
        String db = pg.createDatabase(name);
        pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, pad text)",
                "INSERT INTO t SELECT g, 0, repeat('p', 200) FROM generate_series(1, 100000) g");
        return db;
    }

    @Test
    void postgresRestartedImmediatelyMidSnapshotUnderLoadIsWaitedOutAndBothSinksEndEqual() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        try (PostgresCluster pg = PostgresCluster.startNew(); IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            String db = bigTable(pg, "pg_fault");
            Path config = config(pg, db, "pg_fault", kafka, warehouse);
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("pg.log"));
                 FaultLoad load = new FaultLoad(pg, db)) {
                E2e.await(() -> daemon.logContains("Snapshot of public.t started"), daemon, Duration.ofSeconds(120), "the snapshot under way");
                pg.restart(true);   // -m immediate: a crash of the server while chunks are read
                assertTrue(!daemon.logContains("Snapshot of public.t finished"), "the restart hit the snapshot mid-way");
                Thread.sleep(3000);
                E2e.await(() -> daemon.logContains("Snapshot of public.t finished"), daemon, Duration.ofSeconds(180), "the snapshot after the restart");
                Thread.sleep(3000);
                load.close();
                verifyEqual(config);
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        }
    }

    @Test
    void postgresRestartedFastMidSnapshotAndImmediatelyMidStreamUnderLoadIsWaitedOutAndBothSinksEndEqual() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        try (PostgresCluster pg = PostgresCluster.startNew(); IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            String db = bigTable(pg, "pg_fault2");
            Path config = config(pg, db, "pg_fault2", kafka, warehouse);
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("pg2.log"));
                 FaultLoad load = new FaultLoad(pg, db)) {
                E2e.await(() -> daemon.logContains("Snapshot of public.t started"), daemon, Duration.ofSeconds(120), "the snapshot under way");
                pg.restart(false);   // -m fast: sessions terminated, a checkpoint, while chunks are read
                assertTrue(!daemon.logContains("Snapshot of public.t finished"), "the restart hit the snapshot mid-way");
                E2e.await(() -> daemon.logContains("Snapshot of public.t finished"), daemon, Duration.ofSeconds(180), "the snapshot after the restart");
                long before = load.done.get();
                E2e.await(() -> load.done.get() > before + 200, daemon, Duration.ofSeconds(60), "the load streaming");
                pg.restart(true);    // -m immediate: a crash of the server while changes stream
                long after = load.done.get();
                E2e.await(() -> load.done.get() > after + 200, daemon, Duration.ofSeconds(120), "the load after the crash");
                load.close();
                verifyEqual(config);
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        }
    }
}
