package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is bounded in bytes, not in changes: 1 MB rows stream through both sinks in a daemon with a 256 MB heap,
 * in single-row transactions and in one 200 MB transaction, while every count-based bound (queue capacity,
 * transaction buffer, Iceberg batch rows) is left at its default and would hold gigabytes of such rows.
 */
class WideRowsMemoryIT {

    private static final int ROW_BYTES = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void oneMegabyteRowsStreamThroughBothSinksUnderA256MbHeap() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("wide");
        // md5-derived text does not compress: each row is 1 MB on the wire and in the daemon
        pg.executeIn(db, "CREATE TABLE wide (id int PRIMARY KEY, payload text NOT NULL)",
                "ALTER TABLE wide ALTER COLUMN payload SET STORAGE EXTERNAL");
        kafka.admin().createTopics(List.of(new NewTopic("wide.public.wide", 2, (short) 1)
                .configs(Map.of("max.message.bytes", String.valueOf(8 << 20))))).all().get();
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            List<String> lines = E2e.config(pg, db, "wide", dir.resolve("state"), kafka, "wide");
            lines.addAll(List.of("tideline.runtime.epoch.duration=10s", "tideline.source.heartbeat.interval=1s",
                    "tideline.sink.kafka.producer.max.request.size=" + (8 << 20)));
            Path config = E2e.write(dir.resolve("wide.properties"), E2e.iceberg(lines, warehouse, "wide", "5s"));
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("wide.log"), "256m")) {
                daemon.awaitLine("Pipeline running", Duration.ofSeconds(60));
                Thread.sleep(3000);
                for (int i = 1; i <= 150; i++) pg.executeIn(db, insert(i, i));
                pg.executeIn(db, insert(1001, 1200));   // one 200 MB transaction
                for (int i = 151; i <= 250; i++) pg.executeIn(db, insert(i, i));
                int expected = 250 + 200;
                E2e.await(() -> warehouse.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of("wide", "wide"))
                                && warehouse.readAll("wide", "wide").size() == expected, daemon, Duration.ofSeconds(300),
                        expected + " rows of 1 MB in Iceberg");
                E2e.Cli verify = E2e.cli("verify", "--config", config.toString(), "--timeout", "50s");
                System.out.println(verify.output());
                assertEquals(0, verify.exitCode(), verify.output());
                assertTrue(daemon.isAlive(), daemon.tail());
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        } finally {
            E2e.dropSlot(pg, db, "wide");
        }
    }

    /** Rows {@code from..to}, each with 1 MB of incompressible text, in one transaction. */
    private static String insert(int from, int to) {
        return "INSERT INTO wide SELECT g, (SELECT string_agg(md5(g::text || '-' || i), '') FROM generate_series(1, "
                + ROW_BYTES / 32 + ") i) FROM generate_series(" + from + ", " + to + ") g";
    }
}
