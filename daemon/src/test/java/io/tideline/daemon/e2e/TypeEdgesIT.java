package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.api.TableId;
import io.tideline.sink.iceberg.IcebergSink;
import io.tideline.sink.kafka.KafkaSink;
import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values at the edges of their PostgreSQL types, and identifiers that need quoting, through both sinks: each value
 * is written once before the daemon starts (it arrives through the chunked snapshot) and once while it streams, and
 * each must arrive as the value {@link TypeEdges} says, equal on both paths, in Kafka and in Iceberg.
 */
class TypeEdgesIT {

    /** Without Jackson's 20 MB default limit on a string: the 50 MB text must be read back. */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build());
    private static final int STREAMED = 1000;

    @TempDir
    Path dir;

    @Test
    void everyEdgeValueArrivesAsDocumentedInKafkaAndIcebergThroughSnapshotAndStream() throws Exception {
        // The 50 MB text needs room in Kafka: a topic limit and a producer request size above it (documented).
        passBothSinks("edg", TypeEdges.cases(), List.of("tideline.sink.kafka.producer.max.request.size=" + (128 << 20)));
    }

    @Test
    void stringModesKeepNumericInfinitiesAndExactIntervalsAsText() throws Exception {
        passBothSinks("edgs", TypeEdges.stringModeCases(), List.of("tideline.source.debezium.decimal.handling.mode=string",
                "tideline.source.debezium.interval.handling.mode=string"));
    }

    private void passBothSinks(String name, List<TypeEdges.Case> cases, List<String> extraConfig) throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase(name);
        Map<TableId, List<TypeEdges.Case>> byTable = cases.stream()
                .collect(Collectors.groupingBy(TypeEdges.Case::table, LinkedHashMap::new, Collectors.toList()));
        List<String> ddl = new ArrayList<>(TypeEdges.TYPES);
        byTable.forEach((table, list) -> ddl.add(TypeEdges.createTable(table, list.get(0))));
        pg.executeIn(db, ddl.toArray(String[]::new));
        pg.executeIn(db, cases.stream().map(c -> c.insert(c.id())).toArray(String[]::new));

        for (TypeEdges.Case big : cases.stream().filter(c -> c.kafka().length() > 1 << 20).toList()) {
            kafka.admin().createTopics(List.of(new NewTopic(KafkaSink.topicName(name, big.table()), 1, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(128 << 20))))).all().get();
        }
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            List<String> lines = E2e.config(pg, db, name, dir.resolve(name), kafka, name);
            lines.addAll(List.of("tideline.runtime.epoch.duration=1s", "tideline.source.heartbeat.interval=1s"));
            lines.addAll(extraConfig);
            Path config = E2e.write(dir.resolve(name + ".properties"), E2e.iceberg(lines, warehouse, name, "1s"));
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve(name + ".log"))) {
                E2e.await(() -> icebergRows(warehouse, name, byTable) == cases.size(), daemon, Duration.ofSeconds(120),
                        "the snapshot of " + cases.size() + " rows in Iceberg");
                pg.executeIn(db, cases.stream().map(c -> c.insert(STREAMED + c.id())).toArray(String[]::new));
                E2e.await(() -> icebergRows(warehouse, name, byTable) == 2L * cases.size(), daemon, Duration.ofSeconds(120),
                        "the streamed rows in Iceberg");

                Map<String, String> kafkaValues = new TreeMap<>();
                Map<String, String> icebergValues = new TreeMap<>();
                for (Map.Entry<TableId, List<TypeEdges.Case>> e : byTable.entrySet()) {
                    readKafka(kafka, KafkaSink.topicName(name, e.getKey()), e.getValue(), kafkaValues);
                    readIceberg(warehouse, name, IcebergSink.defaultTableName(e.getKey()), e.getValue(), icebergValues);
                }
                List<String> wrong = new ArrayList<>();
                StringBuilder report = new StringBuilder(String.format("%-32s | %-40s | %-40s%n", "case", "Kafka", "Iceberg"));
                for (TypeEdges.Case c : cases) {
                    for (int id : new int[] {c.id(), STREAMED + c.id()}) {
                        String path = id < STREAMED ? "snapshot" : "stream";
                        String k = kafkaValues.get(c.name() + "#" + id);
                        String i = icebergValues.get(c.name() + "#" + id);
                        report.append(String.format("%-32s | %-40s | %-40s%n", c.name() + " (" + path + ")", clip(k), clip(i)));
                        if (!c.kafka().equals(k)) wrong.add(c.name() + " (" + path + ") in Kafka: expected " + clip(c.kafka()) + ", got " + clip(k));
                        if (!c.iceberg().equals(i)) wrong.add(c.name() + " (" + path + ") in Iceberg: expected " + clip(c.iceberg()) + ", got " + clip(i));
                    }
                }
                System.out.println(report);
                assertTrue(wrong.isEmpty(), String.join("\n", wrong) + "\n" + report);
                // verify, which compares PostgreSQL with both sinks by itself, must agree on every edge value
                E2e.Cli verify = E2e.cli("verify", "--config", config.toString(), "--timeout", "45s");
                System.out.println(verify.output());
                assertEquals(0, verify.exitCode(), verify.output());
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        } finally {
            E2e.dropSlot(pg, db, name);
        }
    }

    private static String clip(String s) {
        if (s == null) return "<missing>";
        return s.length() <= 40 ? s : s.substring(0, 24) + "...(" + s.length() + " chars)";
    }

    private static long icebergRows(IcebergWarehouse warehouse, String namespace, Map<TableId, List<TypeEdges.Case>> tables) {
        long n = 0;
        for (TableId t : tables.keySet()) {
            TableIdentifier id = TableIdentifier.of(namespace, IcebergSink.defaultTableName(t));
            if (!warehouse.catalog().tableExists(id)) return -1;
            n += warehouse.readAll(namespace, id.name()).size();
        }
        return n;
    }

    /** Kafka's value of each case's column, keyed {@code name#id}: the JSON text of {@code payload.after.<column>}. */
    private static void readKafka(KafkaBroker kafka, String topic, List<TypeEdges.Case> cases, Map<String, String> out) throws Exception {
        Map<Integer, TypeEdges.Case> byId = cases.stream().collect(Collectors.toMap(TypeEdges.Case::id, c -> c));
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic, Duration.ofSeconds(60))) {
            if (r.value() == null) continue;
            JsonNode value = JSON.readTree(r.value());
            JsonNode after = (value.has("payload") ? value.get("payload") : value).get("after");
            if (after == null || after.isNull()) continue;
            int id = after.get(TypeEdges.ID).asInt();
            TypeEdges.Case c = byId.get(id % STREAMED);
            if (c == null) continue;
            JsonNode v = after.get(c.column());
            out.put(c.name() + "#" + id, v == null ? "<no field>" : v.isTextual() ? v.textValue() : v.toString());
        }
    }

    /** Iceberg's value of each case's column, keyed {@code name#id}, as text (bytes as hex). */
    private static void readIceberg(IcebergWarehouse warehouse, String namespace, String table, List<TypeEdges.Case> cases,
                                    Map<String, String> out) {
        Map<Integer, TypeEdges.Case> byId = cases.stream().collect(Collectors.toMap(TypeEdges.Case::id, c -> c));
        for (Record r : warehouse.readAll(namespace, table)) {
            int id = ((Number) r.getField(TypeEdges.ID)).intValue();
            TypeEdges.Case c = byId.get(id % STREAMED);
            if (c == null) continue;
            Object v = r.getField(c.column());
            out.put(c.name() + "#" + id, icebergText(v));
        }
    }

    /** Bytes as hex, lists as JSON, structs as {@code {name=value, ...}}, anything else as its text. */
    private static String icebergText(Object v) {
        if (v instanceof ByteBuffer b) return HexFormat.of().formatHex(bytes(b));
        if (v instanceof List<?> list) return json(list);
        if (v instanceof Record struct) {
            List<String> fields = new ArrayList<>();
            for (var f : struct.struct().fields()) fields.add(f.name() + "=" + icebergText(struct.getField(f.name())));
            return "{" + String.join(", ", fields) + "}";
        }
        return String.valueOf(v);
    }

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
