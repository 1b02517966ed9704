package io.tideline.sink.kafka;

import io.debezium.data.Envelope;
import io.tideline.api.ChangeEvent;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;
import io.tideline.api.Unchanged;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tideline's envelopes are byte-for-byte what Debezium's own Envelope + JsonConverter produce. */
class EnvelopeSerializerTest {

    static final String TOPIC = "shop.public.orders";
    static final Instant PROCESSED = Instant.parse("2026-11-23T10:15:30.123456789Z");
    static final TableId TABLE = new TableId("public", "orders");

    static final Schema KEY = SchemaBuilder.struct().name("dbz.public.orders.Key").field("id", Schema.INT32_SCHEMA).build();

    static final Schema VARIABLE_SCALE = io.debezium.data.VariableScaleDecimal.builder().optional().build();
    static final Schema POINT = io.debezium.data.geometry.Point.builder().optional().build();

    static final Schema VALUE = SchemaBuilder.struct().name("dbz.public.orders.Value").optional()
            .field("id", Schema.INT32_SCHEMA)
            .field("small", SchemaBuilder.int16().optional().build())
            .field("big", SchemaBuilder.int64().defaultValue(7L).build())
            .field("price", Decimal.builder(2).optional().parameter("connect.decimal.precision", "10").build())
            .field("ratio", VARIABLE_SCALE)
            .field("real", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("dbl", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("flag", SchemaBuilder.bool().optional().defaultValue(false).build())
            .field("note", SchemaBuilder.string().optional().parameter("__debezium.source.column.type", "TEXT").build())
            .field("doc", SchemaBuilder.string().optional().name("io.debezium.data.Json").version(1).build())
            .field("blob", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("tags", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .field("scores", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build())
            .field("attrs", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .field("created", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").version(1).optional().build())
            .field("day", SchemaBuilder.int32().name("io.debezium.time.Date").version(1).optional().build())
            .field("location", POINT)
            .build();

    static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", SchemaBuilder.string().optional().name("io.debezium.data.Enum").version(1)
                    .parameter("allowed", "true,first,last,false,incremental").defaultValue("false").build())
            .field("db", Schema.STRING_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("schema", Schema.STRING_SCHEMA)
            .field("table", Schema.STRING_SCHEMA)
            .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
            .build();

    static Struct key(int id) {
        return new Struct(KEY).put("id", id);
    }

    static Struct value(int id, String note) {
        return new Struct(VALUE).put("id", id).put("small", (short) 3).put("big", 1L << 40)
                .put("price", new BigDecimal("12.30"))
                .put("ratio", new Struct(VARIABLE_SCALE).put("scale", 3).put("value", new BigDecimal("1.234").unscaledValue().toByteArray()))
                .put("real", 1.5f).put("dbl", -2.25).put("flag", true).put("note", note)
                .put("doc", "{\"a\": [1, 2]}").put("blob", new byte[]{0, 1, (byte) 0xff})
                .put("tags", java.util.Arrays.asList("x", null, "z")).put("scores", List.of(1, 2, 3))
                .put("attrs", Map.of("k", "v"))
                .put("created", 1_700_000_000_123_456L).put("day", 19_000)
                .put("location", new Struct(POINT).put("x", 1.0).put("y", 2.0));
    }

    static Struct source() {
        return new Struct(SOURCE).put("version", "3.6.3.Final").put("connector", "postgresql").put("name", "shop")
                .put("ts_ms", 1_700_000_000_000L).put("db", "app").put("sequence", "[\"100\",\"120\"]")
                .put("schema", "public").put("table", "orders").put("txId", 42L).put("lsn", 120L);
    }

    static ChangeEvent event(Op op, Struct key, Struct before, Struct after) {
        return new ChangeEvent(TABLE, op, key == null ? null : FromConnect.row(key),
                before == null ? null : FromConnect.row(before), after == null ? null : FromConnect.row(after),
                FromConnect.row(source()), new Position(120, 0), 1_700_000_000_000L, true);
    }

    /**
     * Debezium's envelope as its PostgreSQL connector emits it: the generic Envelope builder puts transaction last,
     * the connector (checked in DebeziumCompatibilityIT) puts it right after source.
     */
    static String debezium(Struct envelope, Schema schema, boolean schemas) {
        SchemaBuilder b = SchemaBuilder.struct().name(schema.name()).version(schema.version());
        List<String> order = List.of("before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns");
        order.forEach(f -> b.field(f, schema.field(f).schema()));
        Schema connectorOrder = b.build();
        Struct s = new Struct(connectorOrder);
        order.forEach(f -> s.put(f, envelope.get(f)));
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("converter.type", "value", "schemas.enable", String.valueOf(schemas)));
        return new String(c.fromConnectData(TOPIC, connectorOrder, s), StandardCharsets.UTF_8);
    }

    static String debeziumKey(Struct key, boolean schemas) {
        Schema renamed = SchemaBuilder.struct().name(TOPIC + ".Key").field("id", Schema.INT32_SCHEMA).build();
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("converter.type", "key", "schemas.enable", String.valueOf(schemas)));
        return new String(c.fromConnectData(TOPIC, renamed, new Struct(renamed).put("id", key.get("id"))), StandardCharsets.UTF_8);
    }

    static Envelope envelope() {
        SchemaBuilder b = SchemaBuilder.struct().name(TOPIC + ".Value").optional();
        VALUE.fields().forEach(f -> b.field(f.name(), f.schema()));
        return Envelope.defineSchema().withName(TOPIC + ".Envelope").withRecord(b.build()).withSource(SOURCE).build();
    }

    /** The same struct under the envelope's renamed value schema, as Debezium would build it for TOPIC. */
    static Struct renamed(Envelope env, Struct s) {
        Schema target = env.schema().field("after").schema();
        Struct out = new Struct(target);
        for (org.apache.kafka.connect.data.Field f : target.fields()) out.put(f, s.get(f.name()));
        return out;
    }

    private static String tideline(ChangeEvent e, boolean schemas) {
        return new String(new EnvelopeSerializer(schemas).value(e, TOPIC, PROCESSED), StandardCharsets.UTF_8);
    }

    @Test
    void insertEnvelopeMatchesDebeziumWithAndWithoutSchemas() {
        Envelope env = envelope();
        Struct dbz = env.create(renamed(env, value(1, "hello")), source(), PROCESSED);
        ChangeEvent e = event(Op.CREATE, key(1), null, value(1, "hello"));
        assertEquals(debezium(dbz, env.schema(), true), tideline(e, true));
        assertEquals(debezium(dbz, env.schema(), false), tideline(e, false));
    }

    @Test
    void updateEnvelopeCarriesBeforeAndAfterAsDebeziumDoes() {
        Envelope env = envelope();
        Struct dbz = env.update(renamed(env, value(1, "old")), renamed(env, value(1, "new")), source(), PROCESSED);
        ChangeEvent e = event(Op.UPDATE, key(1), value(1, "old"), value(1, "new"));
        assertEquals(debezium(dbz, env.schema(), true), tideline(e, true));
    }

    @Test
    void deleteAndSnapshotReadEnvelopesMatchDebezium() {
        Envelope env = envelope();
        Struct del = env.delete(renamed(env, value(1, "gone")), source(), PROCESSED);
        assertEquals(debezium(del, env.schema(), true), tideline(event(Op.DELETE, key(1), value(1, "gone"), null), true));
        Struct read = env.read(renamed(env, value(2, "snap")), source(), PROCESSED);
        assertEquals(debezium(read, env.schema(), true), tideline(event(Op.READ, key(2), null, value(2, "snap")), true));
    }

    @Test
    void keyIsTheKeyStructNamedAfterTheTopic() {
        ChangeEvent e = event(Op.CREATE, key(9), null, value(9, "k"));
        EnvelopeSerializer s = new EnvelopeSerializer(true);
        assertEquals(debeziumKey(key(9), true), new String(s.key(e, TOPIC), StandardCharsets.UTF_8));
        assertEquals("{\"id\":9}", new String(new EnvelopeSerializer(false).key(e, TOPIC), StandardCharsets.UTF_8));
        assertTrue(new String(s.key(e, TOPIC), StandardCharsets.UTF_8).contains("\"name\":\"shop.public.orders.Key\""));
    }

    @Test
    void tableWithoutPrimaryKeyHasNoKey() {
        ChangeEvent e = event(Op.CREATE, null, null, value(1, "x"));
        assertNull(new EnvelopeSerializer(true).key(e, TOPIC));
    }

    @Test
    void decimalIsWrittenAsConnectDecimalBase64AndRescaledWhenNumericallyEqual() {
        Struct v = value(1, "d");
        ChangeEvent e = event(Op.CREATE, key(1), null, v);
        Row after = e.after();
        Object[] values = new Object[after.size()];
        for (int i = 0; i < values.length; i++) values[i] = after.get(i);
        values[after.indexOf("price")] = new BigDecimal("12.3"); // scale 1 where the schema says 2
        ChangeEvent rescaled = e.withRows(null, new Row(after.schema(), values));
        String json = tideline(rescaled, false);
        String expected = Base64.getEncoder().encodeToString(new BigDecimal("12.30").unscaledValue().toByteArray());
        assertTrue(json.contains("\"price\":\"" + expected + "\""), json);
    }

    @Test
    void unchangedToastedValuesAreSentAsDebeziumsPlaceholder() {
        ChangeEvent e = event(Op.UPDATE, key(1), null, value(1, "n"));
        Row after = e.after();
        Object[] values = new Object[after.size()];
        for (int i = 0; i < values.length; i++) values[i] = after.get(i);
        values[after.indexOf("note")] = Unchanged.VALUE;
        values[after.indexOf("blob")] = Unchanged.VALUE;
        values[after.indexOf("tags")] = Unchanged.VALUE;
        String json = tideline(e.withRows(null, new Row(after.schema(), values)), false);
        String placeholderBase64 = Base64.getEncoder().encodeToString("__debezium_unavailable_value".getBytes(StandardCharsets.UTF_8));
        assertTrue(json.contains("\"note\":\"__debezium_unavailable_value\""), json);
        assertTrue(json.contains("\"blob\":\"" + placeholderBase64 + "\""), json);
        assertTrue(json.contains("\"tags\":[\"__debezium_unavailable_value\"]"), json);
    }

    @Test
    void unchangedValueInAColumnWithoutDebeziumPlaceholderIsRefused() {
        ChangeEvent e = event(Op.UPDATE, key(1), null, value(1, "n"));
        Row after = e.after();
        Object[] values = new Object[after.size()];
        for (int i = 0; i < values.length; i++) values[i] = after.get(i);
        values[after.indexOf("dbl")] = Unchanged.VALUE;
        IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> tideline(e.withRows(null, new Row(after.schema(), values)), true));
        assertTrue(ex.getMessage().startsWith("Cannot write an unchanged TOASTed value"), ex.getMessage());
    }

    @Test
    void eventWithoutSourceBlockGetsAValidPostgresSourceBlock() {
        ChangeEvent e = new ChangeEvent(TABLE, Op.CREATE, FromConnect.row(key(1)), null,
                FromConnect.row(value(1, "s")), null, new Position(555, 2), 1_700_000_000_000L, true);
        String json = tideline(e, false);
        assertTrue(json.contains("\"source\":{\"version\":\"tideline\",\"connector\":\"postgresql\""), json);
        assertTrue(json.contains("\"lsn\":555"), json);
    }

    @Test
    void connectTemporalLogicalTypesAcceptTheNumbersTheSourceHandsOver() {
        Schema s = SchemaBuilder.struct().name("v").field("d", org.apache.kafka.connect.data.Date.SCHEMA)
                .field("ts", org.apache.kafka.connect.data.Timestamp.SCHEMA).build();
        FieldType t = FromConnect.type(s);
        Row r = new Row(t, new Object[]{19_000, 1_641_600_000_000L});
        ChangeEvent e = new ChangeEvent(TABLE, Op.CREATE, null, null, r, null, new Position(1, 0), 0, true);
        String json = tideline(e, false);
        assertTrue(json.contains("\"after\":{\"d\":19000,\"ts\":1641600000000}"), json);
    }

    @Test
    void keyBytesAreStableAcrossSerializerInstances() {
        ChangeEvent e = event(Op.CREATE, key(4), null, value(4, "x"));
        assertArrayEquals(new EnvelopeSerializer(true).key(e, TOPIC), new EnvelopeSerializer(true).key(e, TOPIC));
        assertArrayEquals(new EnvelopeSerializer(true).rowImage(e, TOPIC), new EnvelopeSerializer(true).rowImage(e, TOPIC));
    }

    static final Schema NESTED = SchemaBuilder.struct().name("dbz.public.plain.Inner").optional()
            .field("n", Schema.OPTIONAL_INT32_SCHEMA).field("s", Schema.OPTIONAL_STRING_SCHEMA).build();

    /** Only types the direct payload path takes (no Connect logical types, no bytes/arrays/maps). */
    static final Schema PLAIN = SchemaBuilder.struct().name(TOPIC + ".Value").optional()
            .field("id", Schema.INT64_SCHEMA)
            .field("tiny", Schema.OPTIONAL_INT8_SCHEMA)
            .field("small", Schema.OPTIONAL_INT16_SCHEMA)
            .field("n", Schema.OPTIONAL_INT32_SCHEMA)
            .field("real", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("dbl", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("flag", Schema.OPTIONAL_BOOLEAN_SCHEMA)
            .field("text", SchemaBuilder.string().optional().parameter("__debezium.source.column.type", "TEXT").build())
            .field("missing", Schema.OPTIONAL_STRING_SCHEMA)
            .field("defaulted", SchemaBuilder.int32().optional().defaultValue(7).build())
            .field("micros", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").version(1).optional().build())
            .field("inner", NESTED)
            .build();

    static Struct plain(long id, String text) {
        return new Struct(PLAIN).put("id", id).put("tiny", (byte) -3).put("small", (short) 300).put("n", -70000)
                .put("real", 0.1f).put("dbl", 1e-7).put("flag", false).put("text", text)
                .put("micros", 1_700_000_000_123_456L)
                .put("inner", new Struct(NESTED).put("n", 5).put("s", "\u00e9\u4e2d\ud83d\ude00"));
    }

    @Test
    void plainRowsWrittenWithoutJsonConverterAreByteForByteDebeziums() {
        Envelope env = Envelope.defineSchema().withName(TOPIC + ".Envelope").withRecord(PLAIN).withSource(SOURCE).build();
        String text = "quote \" backslash \\ tab \t newline \n nul \u0000 unicode \u00e9\u4e2d emoji \ud83d\ude00 </script>";
        for (boolean schemas : new boolean[]{true, false}) {
            Struct ins = env.create(plain(1, text), source(), PROCESSED);
            assertEquals(debezium(ins, env.schema(), schemas),
                    tideline(event(Op.CREATE, key(1), null, plain(1, text)), schemas));
            Struct upd = env.update(plain(2, "old"), plain(2, null), source(), PROCESSED);
            assertEquals(debezium(upd, env.schema(), schemas),
                    tideline(event(Op.UPDATE, key(2), plain(2, "old"), plain(2, null)), schemas));
            Struct del = env.delete(plain(3, ""), source(), PROCESSED);
            assertEquals(debezium(del, env.schema(), schemas),
                    tideline(event(Op.DELETE, key(3), plain(3, ""), null), schemas));
        }
    }
    @Test
    void changesSharingOneSourceRowAreWrittenAsIfEachWereAlone() {
        // a snapshot chunk's rows share one source row, whose block the serializer writes once and then reuses
        Struct otherSource = source().put("lsn", 999L).put("table", "other");
        for (boolean schemas : new boolean[]{true, false}) {
            EnvelopeSerializer one = new EnvelopeSerializer(schemas);
            Row shared = FromConnect.row(source());
            Row other = FromConnect.row(otherSource);
            List<Row> sources = List.of(shared, shared, shared, other, other, shared, FromConnect.row(source()));
            for (int i = 0; i < sources.size(); i++) {
                ChangeEvent e = new ChangeEvent(TABLE, Op.READ, FromConnect.row(key(i)), null,
                        FromConnect.row(plain(i, "row " + i)), sources.get(i), new Position(120, i), 1_700_000_000_000L, false);
                String alone = tideline(e, schemas);
                assertEquals(alone, new String(one.value(e, TOPIC, PROCESSED), StandardCharsets.UTF_8), "change " + i);
                assertEquals(sources.get(i) == other, alone.contains("\"lsn\":999"));
            }
        }
    }

    @Test
    void recordsOfTopicsTakingTurnsAreEachWrittenUnderTheirOwnTopicsSchemaNames() {
        // the serializer keeps the last record's resolved schemas; the same row type under another topic must not reuse
        // them (the schema names carry the topic)
        String otherTopic = "other.public.orders";
        for (boolean schemas : new boolean[]{true, false}) {
            EnvelopeSerializer one = new EnvelopeSerializer(schemas);
            ChangeEvent first = event(Op.CREATE, key(1), null, plain(1, "x"));
            ChangeEvent second = first.withRows(null, FromConnect.row(plain(2, "y")));
            String[] topics = {TOPIC, TOPIC, otherTopic, otherTopic, TOPIC, otherTopic};
            for (int i = 0; i < topics.length; i++) {
                ChangeEvent e = i % 2 == 0 ? first : second;
                EnvelopeSerializer fresh = new EnvelopeSerializer(schemas);
                assertEquals(new String(fresh.value(e, topics[i], PROCESSED), StandardCharsets.UTF_8),
                        new String(one.value(e, topics[i], PROCESSED), StandardCharsets.UTF_8), "value " + i);
                assertEquals(new String(new EnvelopeSerializer(schemas).key(e, topics[i]), StandardCharsets.UTF_8),
                        new String(one.key(e, topics[i]), StandardCharsets.UTF_8), "key " + i);
                if (schemas) {
                    assertEquals(topics[i] == otherTopic,
                            new String(one.value(e, topics[i], PROCESSED), StandardCharsets.UTF_8).contains(otherTopic + ".Envelope"));
                }
            }
        }
    }

    @Test
    void aRecordTheDirectPathLeftUnfinishedDoesNotLeakIntoTheNextOne() {
        // the serializer reuses one JSON generator; a record it abandons midway must not leave bytes or an open object
        for (boolean schemas : new boolean[]{true, false}) {
            EnvelopeSerializer one = new EnvelopeSerializer(schemas);
            ChangeEvent good = event(Op.CREATE, key(1), null, plain(1, "x"));
            String expected = tideline(good, schemas);
            assertEquals(expected, new String(one.value(good, TOPIC, PROCESSED), StandardCharsets.UTF_8));
            Row after = good.after();
            Object[] values = new Object[after.size()];
            for (int i = 0; i < values.length; i++) values[i] = after.get(i);
            values[after.indexOf("micros")] = "not a number"; // the direct path stops at this column, mid-object
            ChangeEvent bad = good.withRows(null, new Row(after.schema(), values));
            org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> one.value(bad, TOPIC, PROCESSED));
            assertEquals(expected, new String(one.value(good, TOPIC, PROCESSED), StandardCharsets.UTF_8));
            assertEquals(expected, new String(one.value(good, TOPIC, PROCESSED), StandardCharsets.UTF_8));
        }
    }
}
