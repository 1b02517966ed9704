package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: a table added to the include list of an existing deployment is snapshotted on the next start, in both
 * sinks, while the table captured before keeps streaming and is not read again.
 */
class TableAddedLaterIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aTableAddedToTheIncludeListReachesKafkaAndIcebergWithItsExistingRows() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("added");
        pg.executeIn(db, "CREATE TABLE first (id int PRIMARY KEY, v text)", "INSERT INTO first SELECT g, 'f' || g FROM generate_series(1, 50) g",
                "CREATE TABLE later (id int PRIMARY KEY, v text)", "INSERT INTO later SELECT g, 'l' || g FROM generate_series(1, 400) g");
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            try (DaemonProcess daemon = DaemonProcess.start(config(warehouse, db, "public.first"), null, dir.resolve("one.log"))) {
                E2e.await(() -> rows(warehouse, "first") == 50, daemon, Duration.ofSeconds(90), "the first table in Iceberg");
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
            pg.executeIn(db, "INSERT INTO first VALUES (51, 'streamed')", "UPDATE later SET v = 'changed' WHERE id = 1");
            try (DaemonProcess daemon = DaemonProcess.start(config(warehouse, db, "public.first,public.later"), null, dir.resolve("two.log"))) {
                E2e.await(() -> rows(warehouse, "later") == 400 && rows(warehouse, "first") == 51, daemon, Duration.ofSeconds(90),
                        "the added table's rows and the streamed change in Iceberg");
                E2e.await(() -> ops(kafka, "added.public.later").size() == 400, daemon, Duration.ofSeconds(60), "the added table in Kafka");
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
            TreeMap<String, Integer> laterOps = count(ops(kafka, "added.public.later"));
            assertEquals(new TreeMap<>(java.util.Map.of("r", 400)), laterOps, "every existing row of the added table once, as a snapshot read");
            TreeMap<String, Integer> firstOps = count(ops(kafka, "added.public.first"));
            assertEquals(new TreeMap<>(java.util.Map.of("r", 50, "c", 1)), firstOps, "the first table is not read again, only streamed");
            String changed = warehouse.readAll("added", "later").stream().filter(r -> ((Number) r.getField("id")).intValue() == 1)
                    .map(r -> (String) r.getField("v")).findFirst().orElse(null);
            assertEquals("changed", changed, "the added table's rows as they are now");
        } finally {
            E2e.dropSlot(pg, db, "added");
        }
    }

    private Path config(IcebergWarehouse warehouse, String db, String tables) throws Exception {
        List<String> lines = E2e.config(PostgresCluster.shared(), db, "added", dir.resolve("state"), KafkaBroker.shared(), "added");
        lines.addAll(List.of("tideline.source.table.include.list=" + tables, "tideline.runtime.epoch.duration=1s",
                "tideline.sink.kafka.schemas.enable=false"));
        return E2e.write(dir.resolve("added-" + tables.length() + ".properties"), E2e.iceberg(lines, warehouse, "added", "1s"));
    }

    private static long rows(IcebergWarehouse warehouse, String table) {
        if (!warehouse.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of("added", table))) return -1;
        warehouse.table("added", table).refresh();
        List<Record> all = warehouse.readAll("added", table);
        return all.size();
    }

    private static List<String> ops(KafkaBroker kafka, String topic) throws Exception {
        List<String> out = new ArrayList<>();
        boolean exists;
        try (var admin = kafka.admin()) {
            exists = admin.listTopics().names().get(30, java.util.concurrent.TimeUnit.SECONDS).contains(topic);
        }
        if (!exists) return out;
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic, Duration.ofSeconds(20))) {
            if (r.value() == null) continue;
            JsonNode v = JSON.readTree(r.value());
            out.add(v.get("op").asText());
        }
        return out;
    }

    private static TreeMap<String, Integer> count(List<String> ops) {
        TreeMap<String, Integer> m = new TreeMap<>();
        for (String o : ops) m.merge(o, 1, Integer::sum);
        return m;
    }
}
