package io.tideline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunked snapshot against a real PostgreSQL while a load writes to the rows being read: every row arrives once
 * (as a snapshot read, or through the stream if it changed after the table's base), the stream carries every later
 * change once and in order, a restart resumes at the first unacknowledged chunk and replays journaled chunks at
 * their original positions, and a table added to the include list is snapshotted on the next start.
 */
class ChunkedSnapshotIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static PostgresCluster pg;
    private static String db;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void database() {
        pg = PostgresCluster.shared();
        db = pg.createDatabase("chunks");
    }

    private DebeziumSourceBuilder source(String slot, String... tables) {
        return DebeziumChangeSource.builder().hostname(pg.host()).port(pg.port()).user(pg.user())
                .password(pg.password()).database(db).slotName(slot).publicationName(slot + "_pub")
                .name(slot).tableIncludeList(List.of(tables)).stateDir(stateDir)
                .snapshotThreads(2).snapshotChunkRows(500);
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(db), pg.user(), pg.password());
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : statements) s.execute(q);
        }
    }

    @Test
    void everyRowArrivesOnceWhileALoadWritesToTheRowsBeingRead() throws Exception {
        sql("CREATE TABLE acc (id int PRIMARY KEY, v int NOT NULL, pad text)",
                "INSERT INTO acc SELECT g, 0, repeat('x', 40) FROM generate_series(1, 100000) g",
                "CREATE TABLE hist (a int, b text)",
                "INSERT INTO hist SELECT g, 'h' || g FROM generate_series(1, 3000) g");
        Sink sink = new Sink();
        try (Load load = new Load("acc", "hist", 7).keyRange(100000); Capture c = new Capture(source("cs_load", "public.acc", "public.hist").build())) {
            load.start();
            sink.consumeUntil(c, x -> snapshotDone(c.source) && load.transactions() > 100, WAIT);
            load.stop();
            sql("INSERT INTO hist VALUES (-1, 'end')");
            sink.consumeUntil(c, x -> sink.sawHistEnd, WAIT);
        }
        sink.assertMatchesPostgres("acc", "hist");
        dropSlot("cs_load");
    }

    @Test
    void theChunksOfAQuietDatabaseDoNotWaitForTheWalWriter() throws Exception {
        // The walsender decodes flushed WAL only. With nothing else committing, a watermark that did not flush the WAL
        // itself waited for the WAL writer's next round (wal_writer_delay): stretched to 10 s here, 20 chunks of 500
        // rows took minutes; each watermark's own commit flushes it, so they take seconds.
        sql("CREATE TABLE quiet (id int PRIMARY KEY, v int NOT NULL)",
                "INSERT INTO quiet SELECT g, 0 FROM generate_series(1, 10000) g",
                "ALTER SYSTEM SET wal_writer_delay = '10s'", "SELECT pg_reload_conf()");
        try {
            Sink sink = new Sink();
            long start = System.nanoTime();
            try (Capture c = new Capture(source("cs_quiet", "public.quiet").build())) {
                sink.consumeUntil(c, x -> snapshotDone(c.source), Duration.ofSeconds(40));
            }
            assertEquals(10000, sink.snapshotRows, "every row read once");
            long secs = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(secs < 40, "the snapshot took " + secs + " s");
        } finally {
            sql("ALTER SYSTEM RESET wal_writer_delay", "SELECT pg_reload_conf()");
        }
        dropSlot("cs_quiet");
    }

    @Test
    void aRestartResumesAtTheFirstUnacknowledgedChunkAndReplaysJournaledChunksAtTheirPositions() throws Exception {
        sql("CREATE TABLE res (id int PRIMARY KEY, v int NOT NULL, pad text)",
                "INSERT INTO res SELECT g, 0, repeat('y', 40) FROM generate_series(1, 20000) g",
                "CREATE TABLE res_hist (a int, b text)",
                "INSERT INTO res_hist SELECT g, 'h' || g FROM generate_series(1, 2000) g");
        Sink sink = new Sink();
        Map<Position, ChangeEvent> unacknowledged = new TreeMap<>();
        try (Load load = new Load("res", "res_hist", 11)) {
            load.start();
            Position acked;
            try (Capture c = new Capture(source("cs_res", "public.res", "public.res_hist").build())) {
                // acknowledge a few chunks, then keep receiving without acknowledging: what a crash leaves behind
                sink.consumeUntil(c, x -> sink.snapshotRows > 3000, WAIT);
                acked = sink.last;
                c.source.acknowledge(acked);
                sink.acknowledging = false;
                sink.consumeUntil(c, x -> sink.snapshotRows > 7000, WAIT);
            }
            for (ChangeEvent e : sink.events) if (e.position().isAfter(acked)) unacknowledged.put(e.position(), e);
            assertTrue(unacknowledged.values().stream().anyMatch(e -> e.op() == Op.READ), "chunks were emitted but not acknowledged");
            try (Stream journal = Stream.of(stateDir.resolve(ChunkJournal.DIR))) {
                assertTrue(journal.count > 0, "unacknowledged chunks are journaled");
            }

            Sink second = new Sink();
            second.fence = sink.last; // a sink's fence: it holds everything up to here
            try (Capture c = new Capture(source("cs_res", "public.res", "public.res_hist").build())) {
                second.replayCheck = unacknowledged;
                second.consumeUntil(c, x -> snapshotDone(c.source) && load.transactions() > 100, WAIT);
                load.stop();
                sql("INSERT INTO res_hist VALUES (-1, 'end')");
                second.consumeUntil(c, x -> second.sawHistEnd, WAIT);
                assertTrue(second.replayed > 0, "the replay reached positions the first run had delivered");
                assertEquals(List.of(), second.replayMismatches, "a replay delivers the same changes at the same positions");
                long reread = second.events.stream().filter(e -> e.op() == Op.READ && e.position().isAtOrBefore(acked)).count();
                assertEquals(0, reread, "acknowledged chunks are not read again");
            }
            sink.events.removeIf(e -> e.position().isAfter(sink.last));
            for (ChangeEvent e : second.events) if (e.position().isAfter(sink.last)) sink.events.add(e);
        }
        sink.assertMatchesPostgres("res", "res_hist");
        dropSlot("cs_res");
    }

    @Test
    void journaledChunksReplayAfterAColumnWasAddedWithTheirValuesInTheirColumnsAndTheNewOneNull() throws Exception {
        sql("CREATE TABLE evo (id int PRIMARY KEY, v text NOT NULL)",
                "INSERT INTO evo SELECT g, 'v' || g FROM generate_series(1, 6000) g");
        Sink sink = new Sink();
        Position acked;
        try (Capture c = new Capture(source("cs_evo", "public.evo").build())) {
            sink.consumeUntil(c, x -> sink.snapshotRows > 1000, WAIT);
            acked = sink.last;
            c.source.acknowledge(acked);
            sink.acknowledging = false;
            sink.consumeUntil(c, x -> sink.snapshotRows > 3000, WAIT);
        }
        try (Stream journal = Stream.of(stateDir.resolve(ChunkJournal.DIR))) {
            assertTrue(journal.count > 0, "unacknowledged chunks are journaled");
        }
        // the crash loop's case: the table changes shape between the crash and the restart that replays the journal
        sql("ALTER TABLE evo ADD COLUMN added int", "UPDATE evo SET added = 7 WHERE id = 6000");
        Sink second = new Sink();
        second.fence = acked;
        try (Capture c = new Capture(source("cs_evo", "public.evo").build())) {
            second.consumeUntil(c, x -> snapshotDone(c.source) && second.count("evo", Op.UPDATE) > 0, WAIT);
        }
        List<ChangeEvent> replayedReads = second.events.stream()
                .filter(e -> e.op() == Op.READ && e.position().isAtOrBefore(sink.last)).toList();
        assertTrue(replayedReads.size() > 1000, "journaled chunks were replayed: " + replayedReads.size());
        for (ChangeEvent e : replayedReads) {
            int id = ((Number) e.after().get("id")).intValue();
            assertEquals("v" + id, e.after().get("v"), "the value stays in its column: " + e.after());
            assertEquals(null, e.after().get("added"), "the column added since is null: " + e.after());
        }
        sink.events.removeIf(e -> e.position().isAfter(acked));
        sink.events.addAll(second.events);
        java.util.TreeSet<Integer> read = new java.util.TreeSet<>();
        for (ChangeEvent e : sink.events) {
            if (e.op() == Op.READ && !read.add(((Number) e.after().get("id")).intValue())) fail("read twice: " + e.after());
        }
        // a row the stream changed after its table's snapshot began arrives as that change instead of as a read
        for (ChangeEvent e : second.events) if (e.op() == Op.UPDATE) read.add(((Number) e.after().get("id")).intValue());
        assertEquals(6000, read.size(), "every row arrives, read once before or after the column was added, or changed");
        assertEquals(7, ((Number) second.events.stream().filter(e -> e.op() == Op.UPDATE).findFirst().orElseThrow()
                .after().get("added")).intValue(), "the change after the schema change carries the new column");
        dropSlot("cs_evo");
    }

    @Test
    void aTableAddedToTheIncludeListIsSnapshottedOnTheNextStartWhileTheOthersStream() throws Exception {
        sql("CREATE TABLE first_t (id int PRIMARY KEY, v text)", "INSERT INTO first_t SELECT g, 'a' FROM generate_series(1, 700) g",
                "CREATE TABLE \"Later Table\" (\"Code\" text, n int, v text, PRIMARY KEY (\"Code\", n))",
                "INSERT INTO \"Later Table\" SELECT 'k' || (g % 37), g, 'v' || g FROM generate_series(1, 1500) g");
        Sink sink = new Sink();
        try (Capture c = new Capture(source("cs_add", "public.first_t").build())) {
            sink.consumeUntil(c, x -> snapshotDone(c.source) && sink.count("first_t", Op.READ) == 700, WAIT);
            SnapshotProgress p = c.source.snapshotProgress().get(0);
            assertEquals(List.of(700L, 2L, 2L), List.of(p.rowsDone(), p.chunksDone(), p.chunksPlanned()), p.toString());
        }
        assertEquals(0, sink.count("Later Table", Op.READ), "a table not yet included is not read");
        sql("UPDATE \"Later Table\" SET v = 'changed' WHERE n <= 10");
        try (Capture c = new Capture(source("cs_add", "public.first_t", "public.Later Table").build())) {
            sql("INSERT INTO first_t VALUES (701, 'streamed')");
            sink.consumeUntil(c, x -> snapshotDone(c.source) && sink.count("first_t", Op.CREATE) == 1, WAIT);
        }
        assertEquals(700, sink.count("first_t", Op.READ), "the table captured before is not snapshotted again");
        assertEquals(1500, sink.count("Later Table", Op.READ), "the added table's rows arrive as snapshot reads");
        sink.assertMatchesPostgres("first_t", "Later Table");
        dropSlot("cs_add");
    }

    @Test
    void aRequestedSnapshotReadsTheTableAgainInPositionOrderWithTheStream() throws Exception {
        sql("CREATE TABLE again_t (id int PRIMARY KEY, v text)", "INSERT INTO again_t SELECT g, 'a' FROM generate_series(1, 900) g");
        Sink sink = new Sink();
        try (Capture c = new Capture(source("cs_again", "public.again_t").build())) {
            sink.consumeUntil(c, x -> snapshotDone(c.source) && sink.count("again_t", Op.READ) == 900, WAIT);
            DebeziumChangeSource.requestSnapshot(stateDir, List.of("public.again_t"));
            sql("UPDATE again_t SET v = 'b' WHERE id <= 5");
            sink.consumeUntil(c, x -> sink.count("again_t", Op.READ) >= 1800 && snapshotDone(c.source), WAIT);
        }
        long reads = sink.count("again_t", Op.READ);
        assertTrue(reads >= 1795 && reads <= 1800, "every row read again, but for rows updated after the new base: " + reads);
        sink.assertMatchesPostgres(false, "again_t");
        dropSlot("cs_again");
    }

    // ------------------------------------------------------------------ helpers

    private static boolean snapshotDone(DebeziumChangeSource source) {
        List<SnapshotProgress> p = source.snapshotProgress();
        return !p.isEmpty() && p.stream().noneMatch(SnapshotProgress::snapshotting);
    }

    private static void dropSlot(String slot) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Connection c = connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                if (!rs.next() || !rs.getBoolean(1)) break;
            }
            Thread.sleep(100);
        }
        sql("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }

    /** Files under a directory, counted. */
    private record Stream(long count) implements AutoCloseable {
        static Stream of(Path dir) throws Exception {
            try (var s = Files.list(dir)) {
                return new Stream(s.count());
            }
        }

        @Override
        public void close() {
        }
    }

    /** What a single-partition sink would hold: events in order, fenced by position, acknowledged like epochs. */
    private static final class Sink {
        final List<ChangeEvent> events = new ArrayList<>();
        Position last = Position.ZERO;
        Position fence = Position.ZERO;
        boolean acknowledging = true;
        boolean sawHistEnd;
        long snapshotRows;
        Map<Position, ChangeEvent> replayCheck = Map.of();
        int replayed;
        final List<String> replayMismatches = new ArrayList<>();
        private long lastAck = System.nanoTime();
        private Position lastEnd;
        private Position lastAcked;

        void consumeUntil(Capture c, Predicate<Sink> done, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(this)) {
                if (System.nanoTime() > deadline) fail("timed out; " + events.size() + " events, progress " + c.source.snapshotProgress());
                ChangeEvent e = c.poll(100);
                if (e == null) {
                    // an idle stream still closes its epochs (the runtime's timer): acknowledge what arrived
                    if (acknowledging && lastEnd != null && !lastEnd.equals(lastAcked)) {
                        c.source.acknowledge(lastEnd);
                        lastAcked = lastEnd;
                    }
                    continue;
                }
                if (!e.position().isAfter(last)) fail("positions must increase: " + last + " then " + e.position());
                last = e.position();
                ChangeEvent before = replayCheck.get(e.position());
                if (before != null) {
                    replayed++;
                    if (!same(before, e)) replayMismatches.add(e.position() + ": " + before.after() + " then " + e.after());
                }
                if (e.position().isAtOrBefore(fence)) continue;
                events.add(e);
                if (e.op() == Op.READ) snapshotRows++;
                if (e.table().table().endsWith("hist") && e.after() != null && Integer.valueOf(-1).equals(e.after().get("a"))) {
                    sawHistEnd = true;
                }
                if (e.lastInTransaction()) lastEnd = e.position();
                if (acknowledging && e.lastInTransaction() && System.nanoTime() - lastAck > TimeUnit.MILLISECONDS.toNanos(300)) {
                    c.source.acknowledge(e.position());
                    lastAcked = e.position();
                    lastAck = System.nanoTime();
                }
            }
        }

        private static boolean same(ChangeEvent a, ChangeEvent b) {
            return a.op() == b.op() && a.table().equals(b.table()) && String.valueOf(a.key()).equals(String.valueOf(b.key()))
                    && String.valueOf(a.after()).equals(String.valueOf(b.after()));
        }

        long count(String table, Op op) {
            return events.stream().filter(e -> e.table().table().equals(table) && e.op() == op).count();
        }

        /** Applies the events per key and compares with the table; rows without a key as a multiset. */
        void assertMatchesPostgres(String... tables) throws Exception {
            assertMatchesPostgres(true, tables);
        }

        /** @param onceAsRead each key's snapshot read is its first event and comes once (false for a requested re-snapshot) */
        void assertMatchesPostgres(boolean onceAsRead, String... tables) throws Exception {
            for (String table : tables) {
                List<ChangeEvent> mine = events.stream().filter(e -> e.table().table().equals(table)).toList();
                boolean keyed = mine.stream().anyMatch(e -> e.key() != null);
                Map<String, String> state = new TreeMap<>();
                Map<String, Integer> reads = new HashMap<>();
                Map<String, Integer> seen = new HashMap<>();
                for (ChangeEvent e : mine) {
                    String key = keyed ? String.valueOf(e.key()) : String.valueOf(e.image());
                    if (e.op() == Op.READ && onceAsRead) {
                        assertEquals(0, (int) seen.getOrDefault(key, 0), table + " key " + key
                                + " arrived as a snapshot read after a streamed change");
                        assertFalse(reads.containsKey(key) && keyed, table + " key " + key + " read twice");
                        reads.merge(key, 1, Integer::sum);
                    }
                    seen.merge(key, 1, Integer::sum);
                    if (!keyed) {
                        if (e.op() == Op.DELETE) state.merge(key, "", (x, y) -> null);
                        else state.merge(render(e.after()), "1", (x, y) -> String.valueOf(Integer.parseInt(x) + 1));
                        continue;
                    }
                    if (e.op() == Op.DELETE) state.remove(key);
                    else state.put(key, render(e.after()));
                }
                Map<String, String> expected = new TreeMap<>();
                List<String> keyColumns = mine.stream().filter(e -> e.key() != null).findFirst()
                        .map(e -> List.copyOf(e.key().asMap().keySet())).orElse(List.of());
                try (Connection c = connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        Map<String, Object> row = new TreeMap<>();
                        for (int i = 1; i <= n; i++) row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                        String r = row.toString();
                        if (keyed) {
                            Map<String, Object> key = new java.util.LinkedHashMap<>();
                            for (String k : keyColumns) key.put(k, row.get(k));
                            expected.put(key.toString(), r);
                        } else {
                            expected.merge(r, "1", (x, y) -> String.valueOf(Integer.parseInt(x) + 1));
                        }
                    }
                }
                if (!expected.equals(state)) {
                    List<String> diff = new ArrayList<>();
                    for (var e : expected.entrySet()) if (!e.getValue().equals(state.get(e.getKey()))) diff.add(e.getKey() + " pg=" + e.getValue() + " sink=" + state.get(e.getKey()));
                    for (var e : state.entrySet()) if (!expected.containsKey(e.getKey())) diff.add(e.getKey() + " only in sink: " + e.getValue());
                    fail(table + ": the events do not add up to PostgreSQL (" + diff.size() + " differences), e.g. " + diff.stream().limit(10).toList());
                }
            }
        }

        private static String render(Row row) {
            return new TreeMap<>(row.asMap()).toString();
        }
    }

    /** Writes to a keyed table (updates, inserts, deletes, several rows per transaction) and inserts into a key-less one. */
    private static final class Load implements AutoCloseable {
        private final String keyed;
        private final String keyless;
        private final Random random;
        private final AtomicLong transactions = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stop;
        private Thread thread;

        private int keyRange = 20000;

        Load keyRange(int n) {
            keyRange = n;
            return this;
        }

        Load(String keyed, String keyless, long seed) {
            this.keyed = keyed;
            this.keyless = keyless;
            this.random = new Random(seed);
        }

        void start() {
            thread = new Thread(() -> {
                try (Connection c = connect(); Statement s = c.createStatement()) {
                    s.execute("SET statement_timeout = '20s'");
                    c.setAutoCommit(false);
                    int next = 1_000_000;
                    while (!stop) {
                        int ops = 1 + random.nextInt(4);
                        for (int i = 0; i < ops; i++) {
                            int id = 1 + random.nextInt(keyRange);
                            switch (random.nextInt(6)) {
                                case 0, 1, 2 -> s.execute("UPDATE " + keyed + " SET v = v + 1 WHERE id = " + id);
                                case 3 -> s.execute("INSERT INTO " + keyed + " VALUES (" + (next++) + ", 1, 'new') ON CONFLICT DO NOTHING");
                                case 4 -> s.execute("DELETE FROM " + keyed + " WHERE id = " + id);
                                default -> s.execute("INSERT INTO " + keyless + " VALUES (" + (next++) + ", 'load')");
                            }
                        }
                        c.commit();
                        transactions.incrementAndGet();
                        Thread.sleep(2);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "load");
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
