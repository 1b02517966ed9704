package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tideline verify} against a running daemon: 0 while both sinks hold what PostgreSQL holds (values of many
 * types compared, unchanged TOAST and a keyless table included); 1 naming the table once a Kafka record is duplicated
 * behind the daemon's back, and 1 naming the table and column once a row is changed in Iceberg.
 */
class VerifyIT {

    @TempDir
    Path dir;

    @Test
    void verifyPassesOnEqualSinksAndNamesTheTableOfADuplicatedRecordOrAChangedRow() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("verify");
        pg.executeIn(db, "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), ratio float8, small int2,"
                        + " at timestamptz, local timestamp, day date, flag bool, doc jsonb, blob bytea, uid uuid, big text,"
                        + " cash money)",
                "INSERT INTO items SELECT g, 'item ' || g, g * 1.25, g / 3.0, g % 100, now() - g * interval '1 hour',"
                        + " '2001-02-03 04:05:06.789'::timestamp + g * interval '1 day', date '1999-12-31' + g, g % 2 = 0,"
                        + " jsonb_build_object('g', g), decode(md5(g::text), 'hex'), md5(g::text)::uuid,"
                        + " (SELECT string_agg(md5(g::text || i), '') FROM generate_series(1, 100) i), g FROM generate_series(1, 200) g",
                "CREATE TABLE events (n int, what text)", "INSERT INTO events SELECT g, 'e' || g FROM generate_series(1, 50) g");
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            List<String> lines = E2e.config(pg, db, "verify", dir.resolve("state"), kafka, "vfy");
            lines.addAll(List.of("tideline.source.table.include.list=public.items,public.events",
                    "tideline.runtime.epoch.duration=1s", "tideline.source.heartbeat.interval=1s",
                    "tideline.sink.kafka.topic.partitions=2"));
            Path config = E2e.write(dir.resolve("v.properties"), E2e.iceberg(lines, warehouse, "vfy", "1s"));
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon.log"))) {
                E2e.await(() -> rows(warehouse, "items") == 200 && rows(warehouse, "events") == 50, daemon,
                        Duration.ofSeconds(90), "the snapshot in Iceberg");
                pg.executeIn(db, "UPDATE items SET name = 'renamed ' || id, price = price + 1 WHERE id % 7 = 0",
                        "UPDATE items SET flag = NOT flag WHERE id % 11 = 0",   // big (TOAST) unchanged: Kafka holds a placeholder
                        "DELETE FROM items WHERE id % 13 = 0", "INSERT INTO items (id, name) VALUES (1000, 'late')",
                        "INSERT INTO events VALUES (51, 'late')");

                E2e.Cli ok = E2e.cli("verify", "--config", config.toString(), "--timeout", "45s");
                System.out.println(ok.output());
                assertEquals(0, ok.exitCode(), ok.output());
                assertTrue(ok.output().contains("RESULT: every sink holds all 2 tables"), ok.output());
                assertTrue(ok.output().contains("not compared: cash (money)"), ok.output());

                ConsumerRecord<byte[], byte[]> copy = kafka.readAll("vfy.public.items", Duration.ofSeconds(30)).stream()
                        .filter(r -> r.value() != null).reduce((a, b) -> b).orElseThrow();
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
                    producer.send(new ProducerRecord<>(copy.topic(), copy.partition(), copy.key(), copy.value(), copy.headers())).get();
                }
                E2e.Cli duplicated = E2e.cli("verify", "--config", config.toString(), "--timeout", "45s");
                assertEquals(1, duplicated.exitCode(), duplicated.output());
                assertTrue(duplicated.output().contains("RESULT: 1 of 2 tables differ: public.items"), duplicated.output());
                assertTrue(duplicated.output().contains("repeats the record before it (a duplicate)"), duplicated.output());

                Table table = warehouse.table("vfy", "items");
                List<Record> rows = new ArrayList<>(warehouse.readAll("vfy", "items"));
                Record changed = rows.stream().filter(r -> ((Number) r.getField("id")).intValue() == 5).findFirst().orElseThrow();
                changed.setField("name", "changed behind the daemon's back");
                warehouse.replaceAll(table, rows);
                E2e.Cli tampered = E2e.cli("verify", "--config", config.toString(), "--timeout", "45s");
                System.out.println(tampered.output());
                assertEquals(1, tampered.exitCode(), tampered.output());
                assertTrue(tampered.output().contains("key [5] column name: PostgreSQL 'item 5', iceberg vfy.items (upsert)"
                        + " 'changed behind the daemon's back'"), tampered.output());
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        } finally {
            E2e.dropSlot(pg, db, "verify");
        }
    }

    private static long rows(IcebergWarehouse warehouse, String table) {
        if (!warehouse.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of("vfy", table))) return -1;
        return warehouse.readAll("vfy", table).size();
    }
}
