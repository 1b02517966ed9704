package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's file-system faults, each under load and ended by {@code tideline verify}: the Iceberg warehouse made
 * read-only for a while, and the state directory's disk full. Each real (a tmpfs remounted read-only, a tmpfs
 * filled to its last byte); the daemon names the cause, waits, and resumes by itself once the disk is back.
 */
class DiskFaultsIT {

    @TempDir
    Path dir;

    private static String seed(PostgresCluster pg, String name) {
        String db = pg.createDatabase(name);
        pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)", "INSERT INTO t SELECT g, 0 FROM generate_series(1, 20000) g");
        return db;
    }

    @Test
    void aReadOnlyIcebergWarehouseIsWaitedOutUnderLoadAndBothSinksEndEqual() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = seed(pg, "ro_warehouse");
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            try (Tmpfs fs = Tmpfs.mount(warehouse.warehouseDir(), "256m")) {
                Path config = ServiceFaultsIT.config(dir, dir.resolve("state"), pg, db, "ro_warehouse", kafka, warehouse);
                try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("ro.log"))) {
                    E2e.await(() -> daemon.logContains("Snapshot of public.t finished"), daemon, Duration.ofSeconds(120), "the snapshot");
                    try (FaultLoad load = new FaultLoad(pg, db)) {
                        Thread.sleep(3000);
                        fs.readOnly();
                        E2e.await(() -> daemon.logContains("Read-only file system"), daemon, Duration.ofSeconds(60),
                                "the daemon to name the read-only warehouse");
                        Thread.sleep(8000);
                        assertTrue(daemon.isAlive(), "the daemon waits for the warehouse:\n" + daemon.tail());
                        fs.writable();
                        Thread.sleep(5000);
                    }
                    ServiceFaultsIT.verifyEqual(config);
                    assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
                }
            }
        } finally {
            E2e.dropSlot(pg, db, "ro_warehouse");
        }
    }

    @Test
    void aFullStateDiskStopsWithAClearErrorAndResumesOnceSpaceIsBack() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = seed(pg, "full_state");
        Path state = Files.createDirectories(dir.resolve("state"));
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop(); Tmpfs fs = Tmpfs.mount(state, "8m")) {
            Path config = ServiceFaultsIT.config(dir, state, pg, db, "full_state", kafka, warehouse);
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("full.log"))) {
                E2e.await(() -> daemon.logContains("Snapshot of public.t finished"), daemon, Duration.ofSeconds(120), "the snapshot");
                Path filler = state.resolve("filler");
                try (FaultLoad load = new FaultLoad(pg, db)) {
                    Thread.sleep(3000);
                    fill(filler);
                    E2e.await(() -> daemon.logContains("No space left on device"), daemon, Duration.ofSeconds(60),
                            "the daemon to name the full disk");
                    Thread.sleep(8000);
                    assertTrue(daemon.isAlive(), "the daemon waits for space:\n" + daemon.tail());
                    Files.delete(filler);
                    Thread.sleep(5000);
                }
                ServiceFaultsIT.verifyEqual(config);
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        } finally {
            E2e.dropSlot(pg, db, "full_state");
        }
    }

    /** Writes {@code file} until the file system refuses the next byte. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                try {
                    out.write(block);
                } catch (IOException full) {
                    for (int i = 0; i < 64; i++) {
                        try {
                            out.write(block, 0, 1024);   // the last kilobytes too
                        } catch (IOException e) {
                            return;
                        }
                    }
                    return;
                }
            }
        } catch (IOException closing) {
            // flushing the rest fails the same way: the disk is full
        }
    }
}
