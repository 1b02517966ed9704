package io.tideline.daemon.verify;

import io.tideline.api.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * One table's topic read from the beginning to the end offsets of the moment: each partition checked for positions
 * that never repeat or go back (within one source cluster), and the last record per key kept as the table's state
 * (a delete or tombstone removes the key).
 */
final class KafkaTopic {

    private static final String POSITION = "tideline.position";
    private static final String SOURCE = "tideline.source";
    /** What {@link #after} returns for a TRUNCATE: every key of the partition is gone. */
    private static final Map<String, String> TRUNCATED = Map.of();

    final String topic;
    /** Key → the row of the last record with that key; rows of keyless tables are not kept. */
    final Map<List<String>, Map<String, String>> rows = new HashMap<>();
    final List<String> orderProblems = new ArrayList<>();
    int orderProblemCount;
    long records;
    boolean exists = true;

    private KafkaTopic(String topic) {
        this.topic = topic;
    }

    static KafkaTopic read(KafkaConsumer<byte[], byte[]> consumer, String topic, SourceTable table, boolean schemas,
                           int examples, Duration timeout) {
        KafkaTopic t = new KafkaTopic(topic);
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            t.exists = false;
            return t;
        }
        JsonConverter keys = converter(true, schemas);
        JsonConverter values = converter(false, schemas);
        for (PartitionInfo info : infos) {
            TopicPartition tp = new TopicPartition(topic, info.partition());
            long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Position last = null;
            String lastSource = null;
            Map<List<String>, Map<String, String>> partitionRows = new HashMap<>();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (consumer.position(tp, timeout) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Cannot read " + tp + " to its end offset " + end + " within " + timeout
                            + " (at " + consumer.position(tp) + "). Check the broker, or raise --timeout.");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500)).records(tp)) {
                    if (r.offset() >= end) break;
                    t.records++;
                    if (r.value() == null) {
                        if (r.key() != null && table.hasKey()) partitionRows.remove(key(keys, topic, r, table));
                        continue;   // a tombstone repeats its delete's position
                    }
                    String source = header(r, SOURCE);
                    String text = header(r, POSITION);
                    if (text == null) {
                        t.problem(examples, "partition " + tp.partition() + " offset " + r.offset() + " has no " + POSITION + " header");
                        continue;
                    }
                    Position p = Position.parse(text);
                    boolean sameSource = lastSource == null || source == null || lastSource.equals(source);
                    if (last != null && sameSource && !p.isAfter(last)) {
                        t.problem(examples, "partition " + tp.partition() + " offset " + r.offset() + " position " + p
                                + (p.equals(last) ? " repeats the record before it (a duplicate)" : " is before " + last
                                + " of the record before it (out of order)"));
                    }
                    last = p;
                    lastSource = source == null ? lastSource : source;
                    if (!table.hasKey()) continue;
                    Map<String, String> after = after(values, topic, r);
                    if (after == TRUNCATED) {
                        partitionRows.clear();
                    } else if (r.key() != null) {
                        List<String> k = key(keys, topic, r, table);
                        if (after == null) partitionRows.remove(k);
                        else partitionRows.put(k, after);
                    }
                }
            }
            t.rows.putAll(partitionRows);   // a key lives in one partition only
        }
        consumer.assign(List.of());
        return t;
    }

    private void problem(int examples, String what) {
        orderProblemCount++;
        if (orderProblems.size() < examples) orderProblems.add(what);
    }

    static {
        // JsonConverter's ObjectMapper takes Jackson's default limit of 20 MB per string; a row may hold more
        // (TypeEdgesIT writes 50 MB of text), and verify must read every record the daemon wrote.
        com.fasterxml.jackson.core.StreamReadConstraints.overrideDefaultStreamReadConstraints(
                com.fasterxml.jackson.core.StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build());
    }

    private static JsonConverter converter(boolean isKey, boolean schemas) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", Boolean.toString(schemas), "decimal.format", "BASE64"), isKey);
        return c;
    }

    private static List<String> key(JsonConverter keys, String topic, ConsumerRecord<byte[], byte[]> r, SourceTable table) {
        SchemaAndValue k = keys.toConnectData(topic, r.key());
        List<String> key = new ArrayList<>();
        if (k.value() instanceof Struct s) {
            for (String column : table.keyColumns()) {
                Field f = s.schema().field(column);
                key.add(f == null ? "?" : Canonical.ofConnect(s.get(f), f.schema()));
            }
        } else if (k.value() instanceof Map<?, ?> m) {
            for (String column : table.keyColumns()) key.add(Canonical.of(m.get(column)));
        }
        return key;
    }

    /** The row after the change, null for a delete, {@link #TRUNCATED} for a truncate. */
    private static Map<String, String> after(JsonConverter values, String topic, ConsumerRecord<byte[], byte[]> r) {
        SchemaAndValue v = values.toConnectData(topic, r.value());
        Map<String, String> row = new LinkedHashMap<>();
        if (v.value() instanceof Struct envelope) {
            if (envelope.schema().field("op") != null && "t".equals(envelope.get("op"))) return TRUNCATED;
            Object after = envelope.schema().field("after") == null ? null : envelope.get("after");
            if (!(after instanceof Struct s)) return null;
            com.fasterxml.jackson.databind.JsonNode raw = null;
            for (Field f : s.schema().fields()) {
                if (isFloat(f.schema()) && s.get(f) != null) {
                    if (raw == null) raw = rawAfter(r.value());
                    row.put(f.name(), Canonical.of(rawFloat(raw.get(f.name()), f.schema())));
                } else {
                    row.put(f.name(), Canonical.ofConnect(s.get(f), f.schema()));
                }
            }
            return row;
        }
        if (v.value() instanceof Map<?, ?> envelope) {
            if ("t".equals(envelope.get("op"))) return TRUNCATED;
            // schemas disabled: plain JSON carries no types, so values are kept as JSON text (compared by key only)
            if (!(envelope.get("after") instanceof Map<?, ?> after)) return null;
            after.forEach((name, value) -> row.put(String.valueOf(name), Canonical.UNCHANGED));
            return row;
        }
        return null;
    }

    /*
     * JsonConverter reads a float back through BigDecimal: "NaN" and the infinities (written as JSON strings) come
     * back as 0.0, and -0.0 as 0.0. Float fields are therefore taken from the JSON text itself.
     */
    private static final com.fasterxml.jackson.databind.ObjectMapper RAW = new com.fasterxml.jackson.databind.ObjectMapper();

    private static boolean isFloat(org.apache.kafka.connect.data.Schema schema) {
        return schema.type() == org.apache.kafka.connect.data.Schema.Type.FLOAT64
                || schema.type() == org.apache.kafka.connect.data.Schema.Type.FLOAT32;
    }

    private static com.fasterxml.jackson.databind.JsonNode rawAfter(byte[] value) {
        try {
            com.fasterxml.jackson.databind.JsonNode root = RAW.readTree(value);
            return (root.has("payload") ? root.get("payload") : root).get("after");
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot read a Kafka record's JSON: " + e.getMessage(), e);
        }
    }

    private static Object rawFloat(com.fasterxml.jackson.databind.JsonNode node, org.apache.kafka.connect.data.Schema schema) {
        double d = node.isTextual() ? Double.parseDouble(node.textValue()) : node.doubleValue();
        return schema.type() == org.apache.kafka.connect.data.Schema.Type.FLOAT32 ? (Object) (float) d : (Object) d;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
