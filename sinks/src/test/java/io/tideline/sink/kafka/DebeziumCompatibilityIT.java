package io.tideline.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.source.DebeziumChangeSource;
import io.tideline.testkit.PostgresCluster;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 5 item 2: Debezium's own embedded engine + JsonConverter and Tideline's source + Kafka sink serializer see
 * the same changes on a real PostgreSQL; keys and values must be identical (same text, so same field order), except
 * the envelope's processing timestamps ts_ms/ts_us/ts_ns. Both engines run with the connector settings Tideline's
 * source uses (pgoutput, precise decimals, adaptive time, source column types propagated).
 */
class DebeziumCompatibilityIT {

    private static final String PREFIX = "compat";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static PostgresCluster pg;
    private static String db;
    private static final List<SourceRecord> debezium = Collections.synchronizedList(new ArrayList<>());
    private static final List<ChangeEvent> tideline = Collections.synchronizedList(new ArrayList<>());
    private static DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private static DebeziumChangeSource source;
    private static final ExecutorService threads = Executors.newFixedThreadPool(2);
    private static int deletes;

    @TempDir
    static Path state;

    @BeforeAll
    static void captureTheSameChangesTwice() throws Exception {
        pg = PostgresCluster.shared();
        db = pg.createDatabase("kafka_compat");
        pg.executeIn(db,
                "CREATE TABLE compat_types (id serial PRIMARY KEY, s smallint NOT NULL DEFAULT 5, b bigint,"
                        + " n numeric(10,2), nv numeric, r real, d double precision, flag boolean, t text,"
                        + " vc varchar(20), j jsonb, bin bytea, tags text[], nums int[], ts timestamp,"
                        + " tstz timestamptz, dt date, tm time, u uuid, iv interval, pt point, big_text text)",
                "CREATE TABLE compat_nokey (a int, b text)",
                "ALTER TABLE compat_nokey REPLICA IDENTITY FULL",
                "CREATE TABLE \"MixedCase\" (id int PRIMARY KEY, \"Val\" text)");
        List<String> tables = List.of("public.compat_types", "public.compat_nokey", "public.MixedCase");

        // Both slots exist before the workload, so each engine later streams all of it from its slot. The engines
        // run one after the other: with one logical name (so schema names match) their JMX beans would collide.
        for (String name : List.of("dbz_reference", "tideline_compat")) {
            pg.executeIn(db, "CREATE PUBLICATION " + name + " FOR TABLE compat_types, compat_nokey, \"MixedCase\"",
                    "SELECT pg_create_logical_replication_slot('" + name + "', 'pgoutput')");
        }
        runWorkload();

        Properties p = new Properties();
        p.put("name", "debezium-reference");
        p.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.put("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.put("offset.flush.interval.ms", "60000");
        p.put("database.hostname", pg.host());
        p.put("database.port", String.valueOf(pg.port()));
        p.put("database.user", pg.user());
        p.put("database.password", pg.password());
        p.put("database.dbname", db);
        p.put("topic.prefix", PREFIX);
        p.put("plugin.name", "pgoutput");
        p.put("slot.name", "dbz_reference");
        p.put("publication.name", "dbz_reference");
        p.put("publication.autocreate.mode", "filtered");
        p.put("table.include.list", "public\\.compat_types,public\\.compat_nokey,public\\.MixedCase");
        p.put("snapshot.mode", "no_data");
        p.put("column.propagate.source.type", ".*");
        p.put("decimal.handling.mode", "precise");
        p.put("time.precision.mode", "adaptive");
        p.put("poll.interval.ms", "10");
        engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class)).using(p)
                .notifying(e -> debezium.add(e.record())).build();
        engineRun = threads.submit(engine);
        waitFor("the last change to reach Debezium's engine", () -> lastTopicIsMarker());
        Thread.sleep(500); // anything after the marker would be a bug; give it the chance to show
        engine.close();
        engine = null;

        source = DebeziumChangeSource.builder().hostname(pg.host()).port(pg.port()).user(pg.user())
                .password(pg.password()).database(db).slotName("tideline_compat").publicationName("tideline_compat")
                .tableIncludeList(tables).snapshotMode("no_data").stateDir(state).name(PREFIX).build();
        sourceRun = threads.submit(() -> {
            source.run(tideline::add);
            return null;
        });
        waitFor("the last change to reach Tideline's source", () -> lastTableIsMarker());
        Thread.sleep(1000); // anything after the marker would be a bug; give it the chance to show
    }

    private static void runWorkload() throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("INSERT INTO compat_types (s, b, n, nv, r, d, flag, t, vc, j, bin, tags, nums, ts, tstz, dt, tm,"
                    + " u, iv, pt, big_text) VALUES (1, 9007199254740993, 12345678.91, 3.14159265358979323846, 1.5,"
                    + " -2.25, true, 'héllo ☃', 'short', '{\"a\": [1, 2], \"b\": null}', '\\x00ff10', '{x,NULL,\"z,1\"}',"
                    + " '{1,2,3}', '2026-01-02 03:04:05.123456', '2026-01-02 03:04:05.5+02', '2026-11-23', '23:59:59.999',"
                    + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 year 2 mons 3 days 04:05:06.789', '(1.5,-2)', 'small')");
            s.execute("INSERT INTO compat_types (id) VALUES (2)");
            s.execute("UPDATE compat_types SET n = 0.01, nv = -1e-20, t = NULL, nums = '{}' WHERE id = 1");
            c.setAutoCommit(false);
            s.execute("INSERT INTO compat_types (id, t) VALUES (3, 'in tx')");
            s.execute("UPDATE compat_types SET b = -1 WHERE id = 3");
            s.execute("INSERT INTO compat_nokey VALUES (1, 'one'), (2, 'two')");
            s.execute("DELETE FROM compat_types WHERE id = 3");
            deletes++;
            c.commit();
            c.setAutoCommit(true);
            s.execute("UPDATE compat_types SET id = 100 WHERE id = 2"); // a key change: delete + create
            deletes++;
            s.execute("INSERT INTO compat_types (id, big_text) SELECT 4, string_agg(md5(i::text), '')"
                    + " FROM generate_series(1, 600) i");
            s.execute("UPDATE compat_types SET s = 6 WHERE id = 4"); // big_text stays TOASTed: the placeholder
            s.execute("UPDATE compat_nokey SET b = 'uno' WHERE a = 1");
            s.execute("DELETE FROM compat_nokey WHERE a = 2");
            deletes++;
            s.execute("DELETE FROM compat_types WHERE id = 1");
            deletes++;
            s.execute("INSERT INTO \"MixedCase\" VALUES (999, 'marker')");
        }
    }

    private static boolean lastTopicIsMarker() {
        List<SourceRecord> d = dataRecords();
        return !d.isEmpty() && d.get(d.size() - 1).topic().endsWith("MixedCase");
    }

    private static boolean lastTableIsMarker() {
        synchronized (tideline) {
            return !tideline.isEmpty() && tideline.get(tideline.size() - 1).table().table().equals("MixedCase");
        }
    }

    /** Debezium's data-change records, without tombstones (the Kafka sink adds those itself). */
    private static List<SourceRecord> dataRecords() {
        List<SourceRecord> out = new ArrayList<>();
        synchronized (debezium) {
            for (SourceRecord r : debezium) {
                if (r.value() != null && r.topic().startsWith(PREFIX + ".public.")) out.add(r);
            }
        }
        return out;
    }

    private static java.util.concurrent.Future<?> engineRun;
    private static java.util.concurrent.Future<?> sourceRun;

    /** Rethrows what a background run failed with, so a dead capture fails the test with its cause, not a timeout. */
    private static void checkRuns() {
        for (java.util.concurrent.Future<?> f : new java.util.concurrent.Future<?>[] {engineRun, sourceRun}) {
            if (f == null || !f.isDone()) continue;
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("a capture run failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!condition.getAsBoolean()) {
            checkRuns();
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting for " + what + " (debezium " + dataRecords().size() + " records, tideline "
                        + tideline.size() + " changes).");
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (engine != null) engine.close();
        if (source != null) source.close();
        threads.shutdown();
        boolean stopped = threads.awaitTermination(30, TimeUnit.SECONDS);
        checkRuns();
        if (!stopped) throw new AssertionError("the capture threads did not stop within 30 s");
        if (pg != null && db != null) {
            for (String slot : List.of("dbz_reference", "tideline_compat")) {
                try {
                    pg.executeIn(db, "SELECT pg_drop_replication_slot('" + slot + "')");
                } catch (RuntimeException ignored) {
                    // already gone with its walsender; nothing to clean
                }
            }
        }
    }

    @Test
    void bothEnginesSawTheSameChangesInTheSameOrder() {
        List<SourceRecord> d = dataRecords();
        assertEquals(d.size(), tideline.size(), "change counts");
        assertTrue(d.size() >= 15, "the workload produced " + d.size() + " changes");
        long tombstones = debezium.stream().filter(r -> r.value() == null).count();
        assertEquals(deletes, tombstones, "Debezium follows each delete by a tombstone, as the Kafka sink does");
        long tidelineDeletes = tideline.stream().filter(e -> e.op() == Op.DELETE).count();
        assertEquals(deletes, tidelineDeletes);
    }

    @Test
    void keysAndValuesAreIdenticalWithSchemas() throws Exception {
        compareAll(true);
    }

    @Test
    void keysAndValuesAreIdenticalWithoutSchemas() throws Exception {
        compareAll(false);
    }

    @Test
    void anUnchangedToastedColumnIsSentAsDebeziumsPlaceholder() throws Exception {
        EnvelopeSerializer serializer = new EnvelopeSerializer(false);
        ChangeEvent toastUpdate = tideline.stream()
                .filter(e -> e.op() == Op.UPDATE && Integer.valueOf(4).equals(e.after().get("id"))).findFirst()
                .orElseThrow();
        JsonNode value = JSON.readTree(serializer.value(toastUpdate, "compat.public.compat_types", Instant.now()));
        assertEquals(ToastPlaceholder.TEXT, value.get("after").get("big_text").asText());
    }

    private void compareAll(boolean schemas) throws Exception {
        List<SourceRecord> d = dataRecords();
        assertEquals(d.size(), tideline.size(), "change counts");
        JsonConverter keys = converter("key", schemas);
        JsonConverter values = converter("value", schemas);
        EnvelopeSerializer serializer = new EnvelopeSerializer(schemas);
        TopicNames names = new TopicNames(PREFIX);
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            SourceRecord r = d.get(i);
            ChangeEvent e = tideline.get(i);
            String topic = names.topicFor(e.table());
            assertEquals(r.topic(), topic, "topic of change " + i);
            byte[] expectedKey = r.key() == null ? null : keys.fromConnectData(r.topic(), r.keySchema(), r.key());
            byte[] actualKey = serializer.key(e, topic);
            if (expectedKey == null) {
                assertNull(actualKey, "a table without primary key has no key, change " + i);
            } else {
                assertEquals(new String(expectedKey), new String(actualKey), "key of change " + i + " (" + e.op() + " " + e.table() + ")");
            }
            JsonNode expected = withoutProcessingTime(values.fromConnectData(r.topic(), r.valueSchema(), r.value()), schemas);
            JsonNode actual = withoutProcessingTime(serializer.value(e, topic, Instant.now()), schemas);
            List<String> diff = JsonDiff.diff(expected, actual);
            if (!diff.isEmpty()) differences.add("change " + i + " (" + e.op() + " " + e.table() + "): " + diff);
        }
        assertEquals(List.of(), differences, "differences from Debezium, processing timestamps excluded");
    }

    private static JsonConverter converter(String type, boolean schemas) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("converter.type", type, "schemas.enable", String.valueOf(schemas)));
        return c;
    }

    /** The JSON with ts_ms/ts_us/ts_ns of the envelope zeroed in place, so field order still counts. */
    private static JsonNode withoutProcessingTime(byte[] json, boolean schemas) throws Exception {
        JsonNode root = JSON.readTree(json);
        ObjectNode envelope = (ObjectNode) (schemas ? root.get("payload") : root);
        for (String f : List.of("ts_ms", "ts_us", "ts_ns")) {
            assertTrue(envelope.get(f).isNumber(), f + " is set");
            envelope.put(f, 0L);
        }
        return root;
    }
}
