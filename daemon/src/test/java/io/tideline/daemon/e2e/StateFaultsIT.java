package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's faults in the daemon's surroundings that must stop it loudly instead of restarting from scratch or
 * skipping changes: a corrupted epoch ledger in the state dir, and the replication slot dropped underneath it.
 */
class StateFaultsIT {

    @TempDir
    Path dir;

    private Path start(PostgresCluster pg, KafkaBroker kafka, String db, String slot) throws Exception {
        pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'v' FROM generate_series(1, 50) g");
        List<String> lines = E2e.config(pg, db, slot, dir.resolve("state"), kafka, slot);
        lines.addAll(List.of("tideline.source.table.include.list=public.t", "tideline.runtime.epoch.duration=1s"));
        Path config = E2e.write(dir.resolve("f.properties"), lines);
        try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("first.log"))) {
            E2e.await(() -> records(kafka, slot + ".public.t").size() >= 50
                    && Files.exists(dir.resolve("state").resolve("epochs.ledger")), daemon, Duration.ofSeconds(90), "the snapshot in Kafka");
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
        }
        return config;
    }

    /** The topic's records; none while the daemon has not created it yet. */
    private static List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records(KafkaBroker kafka, String topic) {
        try {
            return kafka.readAll(topic, Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("does not exist")) return List.of();
            throw e;
        }
    }

    @Test
    void aCorruptedLedgerStopsTheDaemonNamingTheFileAndHowToRecover() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("ledger");
        try {
            Path config = start(pg, kafka, db, "fault_ledger");
            Path ledger = dir.resolve("state").resolve("epochs.ledger");
            byte[] bytes = Files.readAllBytes(ledger);
            Files.write(ledger, Arrays.copyOf(bytes, bytes.length / 2));   // a torn write
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("second.log"))) {
                int code = daemon.awaitExit(Duration.ofSeconds(90));
                assertTrue(code != 0, "a corrupted ledger is not a fresh start:\n" + daemon.tail());
                assertTrue(daemon.logContains("Cannot read epoch ledger " + ledger.toAbsolutePath()), daemon.tail());
                assertTrue(daemon.logContains("Restore it from a backup, or delete it"), daemon.tail());
            }
        } finally {
            E2e.dropSlot(pg, db, "fault_ledger");
        }
    }

    @Test
    void aSlotDroppedUnderneathStopsTheDaemonWithAReSnapshotHintAndSkipsNothingSilently() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("dropped");
        Path config = start(pg, kafka, db, "fault_slot");
        pg.executeIn(db, "SELECT pg_drop_replication_slot('fault_slot')", "INSERT INTO t VALUES (1000, 'after the drop')");
        int before = kafka.readAll("fault_slot.public.t", Duration.ofSeconds(10)).size();
        try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("second.log"))) {
            int code = daemon.awaitExit(Duration.ofSeconds(120));
            assertEquals(1, code, "a dropped slot is permanent:\n" + daemon.tail());
            assertTrue(daemon.logContains("fault_slot"), "names the slot:\n" + daemon.tail());
            assertTrue(daemon.logContains("drop-slot") && daemon.logContains("snapshot"), "says how to recover:\n" + daemon.tail());
        }
        assertEquals(before, kafka.readAll("fault_slot.public.t", Duration.ofSeconds(10)).size(),
                "no change was written past the gap the dropped slot left");

        // the advice works: clear the deployment, start again, and the table arrives again as snapshot reads
        E2e.Cli drop = E2e.cli("drop-slot", "--config", config.toString(), "--yes");
        assertEquals(0, drop.exitCode(), drop.output());
        try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("third.log"))) {
            E2e.await(() -> records(kafka, "fault_slot.public.t").stream()
                    .anyMatch(r -> r.value() != null && new String(r.value()).contains("after the drop")), daemon,
                    Duration.ofSeconds(90), "the row written while the slot was gone, read by the new snapshot");
            assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
        } finally {
            E2e.dropSlot(pg, db, "fault_slot");
        }
    }
}
