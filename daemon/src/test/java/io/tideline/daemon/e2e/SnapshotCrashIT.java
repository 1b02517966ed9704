package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.api.Position;
import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10's promise end to end: the real daemon (child JVM, both sinks) snapshots a large table while a load
 * updates and inserts into it and inserts into a table without a key, and is killed with SIGKILL at several moments
 * of the snapshot. Afterwards every Kafka partition holds no key twice as a snapshot read, every later change once
 * and in order per key, and the last event per key equal to PostgreSQL; the Iceberg upsert table equals PostgreSQL
 * and the Iceberg append table holds every row of the key-less table once.
 *
 * <p>Size: {@code -Dtideline.it.snapshot.rows} (default 1,000,000).
 */
class SnapshotCrashIT {

    private static final int ROWS = Integer.getInteger("tideline.it.snapshot.rows", 1_000_000);
    private static final int PARTITIONS = 3;
    private static final String SLOT = "tideline_snapshot_e2e";
    private static final String NS = "snap";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PostgresCluster pg;
    private static KafkaBroker kafka;
    private static String db;

    @TempDir
    Path dir;

    @BeforeAll
    static void services() {
        pg = PostgresCluster.shared();
        kafka = KafkaBroker.shared();
        db = pg.createDatabase("snapshot_e2e");
    }

    @AfterAll
    static void dropSlot() {
        E2e.dropSlot(pg, db, SLOT);
    }

    @Test
    void killNineAtSeveralMomentsOfASnapshotUnderLoadLeavesKafkaAndIcebergAsIfNothingHappened() throws Exception {
        pg.executeIn(db,
                "CREATE TABLE big (id int PRIMARY KEY, ver int NOT NULL, pad text NOT NULL)",
                "INSERT INTO big SELECT g, 0, md5(g::text) FROM generate_series(1, " + ROWS + ") g",
                "CREATE TABLE hist (id bigint NOT NULL, note text)",
                "INSERT INTO hist SELECT g, 'before' FROM generate_series(1, 5000) g",
                "ANALYZE big", "ANALYZE hist");
        kafka.createTopic("snap.public.big", PARTITIONS);
        kafka.createTopic("snap.public.hist", PARTITIONS);
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop(); Load load = new Load(42)) {
            Path config = writeConfig(warehouse);
            load.start(); // the load runs from before the snapshot starts: the worst moment, not the easiest
            double[] killAt = {0.15, 0.45, 0.75};
            for (int run = 0; run < killAt.length; run++) {
                long target = (long) (ROWS * killAt[run]);
                try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon-" + run + ".log"))) {
                    await(() -> records("snap.public.big") >= target, daemon, Duration.ofSeconds(240));
                    daemon.kill9();
                }
            }
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon-final.log"))) {
                String base = E2e.httpBase(daemon, dir.resolve("daemon-final.log"));
                // not ready while the snapshot runs, with the reason; ready once it is done
                boolean sawSnapshotting = false;
                while (!snapshotFinished()) {
                    E2e.Http r = E2e.get(base + "/health/ready");
                    if (r.status() == 503 && r.body().contains("snapshotting public.big")) sawSnapshotting = true;
                    if (r.status() == 200) {
                        // the daemon marks the snapshot done in memory a moment before it saves the state file
                        Thread.sleep(2000);
                        if (!snapshotFinished()) fail("ready while the snapshot runs: " + r.body());
                    }
                    if (!daemon.isAlive()) fail("daemon exited unexpectedly:\n" + daemon.tail());
                    Thread.sleep(250);
                }
                assertTrue(sawSnapshotting, "/health/ready said why it was not ready while snapshotting");
                await(() -> E2e.get(base + "/health/ready").status() == 200, daemon, Duration.ofSeconds(60));
                String metrics = E2e.get(base + "/metrics").body();
                assertTrue(metrics.contains("tideline_snapshot_rows_done{application=\"tideline\",table=\"public.big\"}"), metrics);
                assertTrue(metrics.contains("tideline_snapshot_running{application=\"tideline\",table=\"public.big\"} 0.0"), metrics);
                load.stop();
                pg.executeIn(db, "INSERT INTO hist VALUES (-1, 'end')");
                await(() -> kafkaHas("snap.public.hist", -1) && icebergHas(warehouse, -1), daemon, Duration.ofSeconds(120));
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), "graceful stop exits 0:\n" + daemon.tail());
            }
            assertTrue(load.transactions() > 200, "the load committed enough transactions: " + load.transactions());
            checkKafkaKeyed();
            checkKafkaKeyless();
            checkIcebergUpsert(warehouse);
            checkIcebergAppend(warehouse);
        }
    }

    // ------------------------------------------------------------------ checks

    private void checkKafkaKeyed() throws Exception {
        Map<Integer, int[]> expected = new HashMap<>(); // id -> {ver}
        try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, ver FROM big")) {
            while (rs.next()) expected.put(rs.getInt(1), new int[] {rs.getInt(2)});
        }
        Map<Integer, List<String>> history = new HashMap<>();
        Map<Integer, Position> lastPerPartition = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("snap.public.big", Duration.ofSeconds(180))) {
            Position p = position(r);
            Position before = lastPerPartition.put(r.partition(), p);
            boolean tombstone = r.value() == null; // repeats its delete's position
            if (before != null && (tombstone ? p.compareTo(before) != 0 : !p.isAfter(before))) {
                problems.add("partition " + r.partition() + ": " + p + " after " + before + (tombstone ? " (tombstone)" : ""));
            }
            int id = JSON.readTree(r.key()).get("id").asInt();
            if (r.value() == null) continue; // tombstone after a delete
            JsonNode v = JSON.readTree(r.value());
            String op = v.get("op").asText();
            JsonNode after = v.get("after");
            history.computeIfAbsent(id, k -> new ArrayList<>()).add(op + (after.isNull() ? "" : ":" + after.get("ver").asInt()));
        }
        for (var e : history.entrySet()) {
            List<String> h = e.getValue();
            int reads = 0;
            Integer prev = null;
            for (int i = 0; i < h.size(); i++) {
                String ev = h.get(i);
                if (ev.startsWith("r")) {
                    reads++;
                    if (i > 0) problems.add("key " + e.getKey() + " read after a streamed change: " + h);
                }
                if (ev.startsWith("c") && !ev.equals("c:0")) problems.add("key " + e.getKey() + " created with ver != 0: " + h);
                if (ev.startsWith("u") && prev != null && Integer.parseInt(ev.substring(2)) != prev + 1) {
                    problems.add("key " + e.getKey() + " skips or repeats a change: " + h);
                }
                prev = ev.equals("d") ? null : Integer.valueOf(ev.substring(2));
            }
            if (reads > 1) problems.add("key " + e.getKey() + " read " + reads + " times: " + h);
            int[] pgRow = expected.get(e.getKey());
            String last = h.get(h.size() - 1);
            if (pgRow == null && !last.equals("d")) problems.add("key " + e.getKey() + " deleted in PostgreSQL, last event " + last);
            if (pgRow != null && !last.endsWith(":" + pgRow[0])) problems.add("key " + e.getKey() + " has ver " + pgRow[0] + " in PostgreSQL, last event " + last + " of " + h);
        }
        for (Integer id : expected.keySet()) if (!history.containsKey(id)) problems.add("key " + id + " missing in Kafka");
        assertTrue(problems.isEmpty(), problems.size() + " problems in Kafka, e.g. " + problems.stream().limit(10).toList());
    }

    private void checkKafkaKeyless() throws Exception {
        Map<Long, Integer> seen = new TreeMap<>();
        Map<Long, List<String>> where = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("snap.public.hist", Duration.ofSeconds(60))) {
            JsonNode v = JSON.readTree(r.value());
            long id = v.get("after").get("id").asLong();
            seen.merge(id, 1, Integer::sum);
            where.computeIfAbsent(id, k -> new ArrayList<>()).add(v.get("op").asText() + "@" + r.partition() + "/" + r.offset() + " " + position(r));
        }
        Map<Long, Integer> expected = pgHist();
        if (!expected.equals(seen)) {
            List<String> diff = new ArrayList<>();
            for (var e : seen.entrySet()) if (!e.getValue().equals(expected.get(e.getKey()))) diff.add(e.getKey() + " x" + e.getValue() + " " + where.get(e.getKey()));
            for (var e : expected.entrySet()) if (!seen.containsKey(e.getKey())) diff.add(e.getKey() + " missing");
            fail("the key-less table differs in Kafka in " + diff.size() + " rows (every row once as r or c), e.g. " + diff.stream().limit(12).toList());
        }
    }

    private void checkIcebergUpsert(IcebergWarehouse warehouse) throws Exception {
        Map<Integer, Integer> expected = new HashMap<>();
        try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, ver FROM big")) {
            while (rs.next()) expected.put(rs.getInt(1), rs.getInt(2));
        }
        Map<Integer, Integer> actual = new HashMap<>();
        for (Record r : warehouse.readAll(NS, "big")) {
            if (actual.put(((Number) r.getField("id")).intValue(), ((Number) r.getField("ver")).intValue()) != null) {
                fail("key " + r.getField("id") + " twice in the Iceberg upsert table");
            }
        }
        if (!expected.equals(actual)) {
            List<String> diff = new ArrayList<>();
            for (var e : expected.entrySet()) if (!e.getValue().equals(actual.get(e.getKey()))) diff.add(e.getKey() + ": pg " + e.getValue() + " iceberg " + actual.get(e.getKey()));
            for (var e : actual.entrySet()) if (!expected.containsKey(e.getKey())) diff.add(e.getKey() + " only in iceberg");
            fail("the Iceberg upsert table differs from PostgreSQL in " + diff.size() + " rows, e.g. " + diff.stream().limit(10).toList());
        }
    }

    private void checkIcebergAppend(IcebergWarehouse warehouse) throws Exception {
        Map<Long, Integer> seen = new TreeMap<>();
        for (Record r : warehouse.readAll(NS, "hist")) seen.merge(((Number) r.getField("id")).longValue(), 1, Integer::sum);
        assertEquals(pgHist(), seen, "every row of the key-less table once in the Iceberg append table");
    }

    private Map<Long, Integer> pgHist() throws Exception {
        Map<Long, Integer> out = new TreeMap<>();
        try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM hist")) {
            while (rs.next()) out.merge(rs.getLong(1), 1, Integer::sum);
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    private Path writeConfig(IcebergWarehouse warehouse) throws Exception {
        List<String> lines = E2e.config(pg, db, SLOT, dir.resolve("state"), kafka, "snap");
        lines.addAll(List.of(
                "tideline.source.publication.name=" + SLOT,
                "tideline.source.table.include.list=public.big,public.hist",
                "tideline.source.snapshot.threads=2",
                "tideline.source.snapshot.chunk.rows=4096",
                "tideline.runtime.epoch.duration=2s",
                "tideline.runtime.parallelism=2",
                "tideline.sink.kafka.topic.partitions=" + PARTITIONS,
                "tideline.sink.kafka.schemas.enable=false",
                "tideline.sink.iceberg.write.mode=upsert"));
        return E2e.write(dir.resolve("tideline.properties"), E2e.iceberg(lines, warehouse, NS, "2s"));
    }

    private boolean snapshotFinished() throws Exception {
        Path state = dir.resolve("state").resolve("snapshot-state.json");
        if (!Files.exists(state)) return false;
        JsonNode tables = JSON.readTree(state.toFile()).get("tables");
        if (tables == null || tables.size() < 2) return false;
        for (JsonNode t : tables) if (!"CAPTURED".equals(t.get("status").asText())) return false;
        return true;
    }

    private static long records(String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
            long sum = 0;
            for (var info : admin.listOffsets(specs).all().get(30, java.util.concurrent.TimeUnit.SECONDS).values()) sum += info.offset();
            return sum;
        }
    }

    private static boolean kafkaHas(String topic, long id) throws Exception {
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic, Duration.ofSeconds(30))) {
            if (r.value() != null && JSON.readTree(r.value()).get("after").get("id").asLong() == id) return true;
        }
        return false;
    }

    private static boolean icebergHas(IcebergWarehouse warehouse, long id) {
        if (!warehouse.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of(NS, "hist"))) return false;
        warehouse.table(NS, "hist").refresh();
        return warehouse.readAll(NS, "hist").stream().anyMatch(r -> ((Number) r.getField("id")).longValue() == id);
    }

    private static Position position(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader("tideline.position");
        if (h == null) fail("record without tideline.position at " + r.topic() + "/" + r.partition() + "@" + r.offset());
        return Position.parse(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static void await(E2e.Check condition, DaemonProcess daemon, Duration timeout) throws Exception {
        E2e.await(condition, daemon, timeout, "the condition");
    }

    /** Updates (each one bumps ver), inserts and a few deletes on big, inserts into hist; several rows per transaction. */
    private final class Load implements AutoCloseable {
        private final Random random;
        private final AtomicLong transactions = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stop;
        private Thread thread;

        Load(long seed) {
            this.random = new Random(seed);
        }

        void start() {
            thread = new Thread(() -> {
                try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                    s.execute("SET statement_timeout = '30s'");
                    c.setAutoCommit(false);
                    long nextId = 10_000_000;
                    while (!stop) {
                        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                            int id = 1 + random.nextInt(ROWS);
                            switch (random.nextInt(10)) {
                                case 0, 1, 2, 3, 4 -> s.execute("UPDATE big SET ver = ver + 1 WHERE id = " + id);
                                case 5 -> s.execute("INSERT INTO big VALUES (" + (nextId++) + ", 0, 'new')");
                                case 6 -> s.execute("DELETE FROM big WHERE id = " + id);
                                default -> s.execute("INSERT INTO hist VALUES (" + (nextId++) + ", 'load')");
                            }
                        }
                        c.commit();
                        transactions.incrementAndGet();
                        Thread.sleep(5);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "snapshot-load");
            thread.start();
        }

        long transactions() {
            if (failure.get() != null) throw new AssertionError("the load failed", failure.get());
            return transactions.get();
        }

        void stop() throws InterruptedException {
            stop = true;
            if (thread != null) {
                thread.join(30_000);
                if (thread.isAlive()) fail("the load did not stop within 30 s");
            }
            if (failure.get() != null) throw new AssertionError("the load failed", failure.get());
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
