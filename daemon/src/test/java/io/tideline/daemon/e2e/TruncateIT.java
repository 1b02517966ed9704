package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's TRUNCATE promise: captured by default, it reaches Kafka as Debezium's truncate event (op "t") on every
 * partition of the table's topic, before every later change; it empties an Iceberg upsert table and is a row with
 * op "t" in an append (changelog) table.
 */
class TruncateIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aTruncateEmptiesUpsertTablesIsARowInChangelogsAndReachesEveryKafkaPartitionFirst() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("truncate");
        pg.executeIn(db, "CREATE TABLE keyed (id int PRIMARY KEY, v text)",
                "INSERT INTO keyed SELECT g, 'v' || g FROM generate_series(1, 30) g",
                "CREATE TABLE log (n int, v text)", "INSERT INTO log VALUES (1, 'one'), (2, 'two')");
        kafka.createTopic("trunc.public.keyed", 3);
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            List<String> lines = E2e.config(pg, db, "trunc", dir.resolve("state"), kafka, "trunc");
            lines.addAll(List.of("tideline.source.table.include.list=public.keyed,public.log", "tideline.runtime.epoch.duration=1s",
                    "tideline.runtime.parallelism=2", "tideline.sink.kafka.topic.partitions=3", "tideline.sink.kafka.schemas.enable=false"));
            Path config = E2e.write(dir.resolve("t.properties"), E2e.iceberg(lines, warehouse, "trunc", "1s"));
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon.log"))) {
                await(() -> rows(warehouse, "keyed") == 30 && rows(warehouse, "log") == 2, daemon, "the snapshot in Iceberg");
                pg.executeIn(db, "TRUNCATE keyed, log", "INSERT INTO keyed VALUES (100, 'after')", "INSERT INTO log VALUES (3, 'three')");
                await(() -> rows(warehouse, "keyed") == 1 && ops(warehouse).contains("t") && ops(warehouse).contains("c"), daemon,
                        "the truncate and the inserts after it in Iceberg");
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
            assertEquals(100, ((Number) warehouse.readAll("trunc", "keyed").get(0).getField("id")).intValue(),
                    "the upsert table holds only what came after the truncate");

            Map<Integer, List<String>> perPartition = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("trunc.public.keyed", Duration.ofSeconds(30))) {
                if (r.value() == null) continue;
                JsonNode v = JSON.readTree(r.value());
                String op = v.get("op").asText();
                String id = op.equals("t") ? "" : ":" + v.get("after").get("id").asInt();
                perPartition.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(op + id);
                if (op.equals("t")) assertTrue(r.key() == null, "a truncate names no key");
            }
            assertEquals(new TreeSet<>(List.of(0, 1, 2)), new TreeSet<>(perPartition.keySet()), perPartition.toString());
            for (var e : perPartition.entrySet()) {
                List<String> ops = e.getValue();
                assertEquals(1, ops.stream().filter(o -> o.equals("t")).count(), "one truncate in partition " + e.getKey() + ": " + ops);
                int t = ops.indexOf("t");
                assertTrue(ops.subList(0, t).stream().allMatch(o -> o.startsWith("r:")), "snapshot before the truncate: " + ops);
                assertTrue(ops.subList(t + 1, ops.size()).stream().allMatch(o -> o.equals("c:100")), "after it only the new row: " + ops);
            }
        } finally {
            E2e.dropSlot(pg, db, "trunc");
        }
    }

    private static long rows(IcebergWarehouse warehouse, String table) {
        if (!warehouse.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of("trunc", table))) return -1;
        return warehouse.readAll("trunc", table).size();
    }

    private static List<String> ops(IcebergWarehouse warehouse) {
        List<String> out = new ArrayList<>();
        for (Record r : warehouse.readAll("trunc", "log")) out.add(String.valueOf(r.getField("_tideline_op")));
        return out;
    }

    private static void await(E2e.Check condition, DaemonProcess daemon, String what) throws Exception {
        E2e.await(condition, daemon, Duration.ofSeconds(90), what);
    }
}
