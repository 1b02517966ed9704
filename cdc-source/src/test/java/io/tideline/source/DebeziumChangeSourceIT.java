package io.tideline.source;

import io.tideline.api.ChangeEvent;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;
import io.tideline.api.Unchanged;
import io.tideline.testkit.PostgresCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The source against a real PostgreSQL (testkit): one database for the class, one slot, publication and state
 * dir per test.
 */
class DebeziumChangeSourceIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static PostgresCluster pg;
    private static String db;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void database() {
        pg = PostgresCluster.shared();
        db = pg.createDatabase("cdc");
    }

    private DebeziumSourceBuilder source(String slot, String snapshotMode, String... tables) {
        return DebeziumChangeSource.builder().hostname(pg.host()).port(pg.port()).user(pg.user())
                .password(pg.password()).database(db).slotName(slot).publicationName(slot + "_pub")
                .name(slot).snapshotMode(snapshotMode).tableIncludeList(List.of(tables)).stateDir(stateDir);
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(db), pg.user(), pg.password());
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : statements) {
                s.execute(q);
            }
        }
    }

    /** Runs the statements in one transaction. */
    private static void tx(String... statements) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            for (String q : statements) {
                s.execute(q);
            }
            c.commit();
        }
    }

    /** Waits up to {@code timeout} for the slot's confirmed_flush_lsn to be {@code lsn}, then asserts it is. */
    private static void awaitSlotConfirmedAt(String slot, long lsn, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (slotConfirmedFlush(slot) != lsn && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(lsn, slotConfirmedFlush(slot), what);
    }

    private static Long slotConfirmedFlush(String slot) throws SQLException {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT (confirmed_flush_lsn - '0/0')::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static boolean slotActive(String slot) throws SQLException {
        try (Connection c = connect();
             PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static void awaitSlotActive(String slot) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!slotActive(slot)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("slot " + slot + " did not become active within " + WAIT);
            }
            Thread.sleep(50);
        }
    }

    private static void dropSlot(String slot) throws Exception {
        for (int i = 0; i < 100 && slotActive(slot); i++) {
            Thread.sleep(100);
        }
        sql("SELECT pg_drop_replication_slot('" + slot + "')");
    }

    private long storedCommitLsn() throws Exception {
        Map<ByteBuffer, ByteBuffer> stored = TidelineOffsetBackingStore.read(stateDir.resolve(DebeziumChangeSource.OFFSET_FILE));
        assertEquals(1, stored.size(), "one offset entry");
        String json = StandardCharsets.UTF_8.decode(stored.values().iterator().next().duplicate()).toString();
        Matcher m = Pattern.compile("\"lsn_commit\":(\\d+)").matcher(json);
        assertTrue(m.find(), json);
        return Long.parseLong(m.group(1));
    }

    private static long spillFiles(Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            return files.count();
        }
    }

    private static void assertIncreasing(List<ChangeEvent> events) {
        for (int i = 1; i < events.size(); i++) {
            assertTrue(events.get(i).position().isAfter(events.get(i - 1).position()),
                    "positions must increase: " + events.get(i - 1).position() + " then " + events.get(i).position());
        }
    }

    @Test
    void insertUpdateDeleteAndMultiRowTransactionCarryTheirCommitLsnAndIndex() throws Exception {
        sql("CREATE TABLE orders (id int PRIMARY KEY, qty int, note text)");
        try (Capture c = new Capture(source("s_crud", "no_data", "public.orders").build())) {
            awaitSlotActive("s_crud");
            sql("INSERT INTO orders VALUES (1, 10, 'a')");
            sql("UPDATE orders SET qty = 11 WHERE id = 1");
            sql("DELETE FROM orders WHERE id = 1");
            tx("INSERT INTO orders VALUES (2, 20, 'b')", "SELECT pg_logical_emit_message(true, 'app', 'not a row')",
                    "INSERT INTO orders VALUES (3, 30, 'c')",
                    "UPDATE orders SET qty = 21 WHERE id = 2");
            List<ChangeEvent> e = c.take(6, WAIT);

            assertEquals(List.of(Op.CREATE, Op.UPDATE, Op.DELETE, Op.CREATE, Op.CREATE, Op.UPDATE),
                    e.stream().map(ChangeEvent::op).toList());
            assertTrue(e.stream().allMatch(x -> x.table().equals(new TableId("public", "orders"))));
            assertIncreasing(e);
            for (int i = 0; i < 3; i++) {
                assertEquals(0, e.get(i).position().index(), "single-row transactions have index 0");
                assertTrue(e.get(i).lastInTransaction());
            }
            long commitLsn = e.get(3).position().commitLsn();
            assertEquals(List.of(new Position(commitLsn, 0), new Position(commitLsn, 1), new Position(commitLsn, 2)),
                    e.subList(3, 6).stream().map(ChangeEvent::position).toList());
            assertEquals(List.of(false, false, true), e.subList(3, 6).stream().map(ChangeEvent::lastInTransaction).toList());

            ChangeEvent insert = e.get(0);
            assertEquals(1, insert.key().get("id"));
            assertNull(insert.before());
            assertEquals(Map.of("id", 1, "qty", 10, "note", "a"), insert.after().asMap());
            assertEquals("orders", insert.source().get("table"));
            assertTrue(insert.commitTimeMs() > System.currentTimeMillis() - 60_000, "commit time is recent");
            assertEquals(11, e.get(1).after().get("qty"));
            ChangeEvent delete = e.get(2);
            assertNull(delete.after());
            assertEquals(1, delete.before().get("id"));
            assertEquals(1, delete.key().get("id"));

            sql("ALTER TABLE orders ADD COLUMN extra int DEFAULT 5", "INSERT INTO orders VALUES (9, 90, 'z', 6)");
            ChangeEvent altered = c.take(1, WAIT).get(0);
            assertEquals(6, altered.after().get("extra"), "a column added while running arrives");
            assertTrue(altered.position().isAfter(e.get(5).position()));
        }
        dropSlot("s_crud");
    }

    @Test
    void transactionLargerThanMemorySpillsAndArrivesWholeInOrder() throws Exception {
        sql("CREATE TABLE bulk (id int PRIMARY KEY, v text)");
        try (Capture c = new Capture(source("s_bulk", "no_data", "public.bulk").maxBufferedChanges(5).build())) {
            awaitSlotActive("s_bulk");
            sql("INSERT INTO bulk SELECT i, md5(i::text) FROM generate_series(1, 50) i");
            List<ChangeEvent> e = c.take(50, WAIT);
            long lsn = e.get(0).position().commitLsn();
            for (int i = 0; i < 50; i++) {
                assertEquals(new Position(lsn, i), e.get(i).position());
                assertEquals(i + 1, e.get(i).after().get("id"));
                assertEquals(i == 49, e.get(i).lastInTransaction());
            }
            Path spill = stateDir.resolve(DebeziumChangeSource.SPILL_DIR);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (spillFiles(spill) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the last change is handed over just before the file is removed
            }
            assertEquals(0, spillFiles(spill), "the spill file is gone once the transaction is delivered");
        }
        dropSlot("s_bulk");
    }

    @Test
    void initialSnapshotArrivesAsOneChunkAtItsWatermarkAndStreamingFollowsAfterIt() throws Exception {
        sql("CREATE TABLE snap (id int PRIMARY KEY, v text)",
                "INSERT INTO snap VALUES (1, 'one'), (2, 'two'), (3, 'three')");
        ChangeEvent streamed;
        try (Capture c = new Capture(source("s_snap", "initial", "public.snap").build())) {
            List<ChangeEvent> snapshot = c.take(3, WAIT);
            assertTrue(snapshot.stream().allMatch(x -> x.op() == Op.READ));
            long lsn = snapshot.get(0).position().commitLsn();
            long base = StreamGate.CHUNK_INDEX_BASE;
            assertEquals(List.of(new Position(lsn, base), new Position(lsn, base + 1), new Position(lsn, base + 2)),
                    snapshot.stream().map(ChangeEvent::position).toList());
            assertEquals(List.of(false, false, true), snapshot.stream().map(ChangeEvent::lastInTransaction).toList());
            assertEquals(List.of(1, 2, 3), snapshot.stream().map(x -> x.after().get("id")).sorted().toList());
            assertEquals("incremental", snapshot.get(0).source().get("snapshot"));

            sql("INSERT INTO snap VALUES (4, 'four')");
            streamed = c.take(1, WAIT).get(0);
            assertEquals(Op.CREATE, streamed.op());
            assertTrue(streamed.position().isAfter(snapshot.get(2).position()));
            c.source.acknowledge(snapshot.get(2).position());
        }
        try (Capture c = new Capture(source("s_snap", "initial", "public.snap").build())) {
            ChangeEvent again = c.take(1, WAIT).get(0);
            assertEquals(streamed.position(), again.position(), "an acknowledged snapshot is not taken again");
            assertEquals(4, again.after().get("id"));
            c.assertNothingMore(Duration.ofMillis(500));
        }
        dropSlot("s_snap");
    }

    @Test
    void anIdleSourceParksDebeziumsPollThreadAndTheNextChangeStillArrives() throws Exception {
        sql("CREATE TABLE idle_poll (id int PRIMARY KEY)");
        try (Capture c = new Capture(source("s_idle", "initial", "public.idle_poll").build())) {
            sql("INSERT INTO idle_poll VALUES (1)");
            assertEquals(1, c.take(1, WAIT).get(0).after().get("id"), "streaming is up");
            Thread poller = enginePollThread();
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getThreadCpuTime(poller.getId());
            long wall0 = System.nanoTime();
            Thread.sleep(2_000);
            double share = (threads.getThreadCpuTime(poller.getId()) - cpu0) / (double) (System.nanoTime() - wall0);
            // Polling with poll.interval.ms=1 spins on the millisecond clock: about 45% of a core before the pacer.
            assertTrue(share < 0.10, String.format("Debezium's poll thread used %.0f%% of a core while nothing changed",
                    share * 100));
            sql("INSERT INTO idle_poll VALUES (2)");
            assertEquals(2, c.take(1, WAIT).get(0).after().get("id"), "a change after the idle spell arrives");
        }
        dropSlot("s_idle");
    }

    /** The embedded engine's thread that polls the connector task (it runs Debezium's ChangeEventQueue.poll). */
    private static Thread enginePollThread() {
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement f : t.getValue()) {
                if (f.getClassName().equals("io.debezium.embedded.async.AsyncEmbeddedEngine$PollRecords")) return t.getKey();
            }
        }
        throw new AssertionError("No thread of Debezium's engine is polling the connector");
    }

    @Test
    void typedColumnsArriveAsPlainJavaWithTheirPostgresTypes() throws Exception {
        sql("CREATE TABLE typed (id int PRIMARY KEY, big bigint, amount numeric(10,2), free numeric, t text,"
                + " vc varchar(20), b bool, d date, ts timestamptz, u uuid, j jsonb, raw bytea, ints int[], f float8)");
        try (Capture c = new Capture(source("s_typed", "no_data", "public.typed").build())) {
            awaitSlotActive("s_typed");
            sql("INSERT INTO typed VALUES (1, 9000000000, 12.34, 1.5, 'text', 'short', true, '2024-02-29',"
                    + " '2024-02-29 12:00:00+00', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"k\": [1, 2]}',"
                    + " '\\x010203', '{1,2,3}', 2.5)");
            ChangeEvent e = c.take(1, WAIT).get(0);
            Row r = e.after();
            assertEquals(1, r.get("id"));
            assertEquals(9_000_000_000L, r.get("big"));
            assertEquals(new BigDecimal("12.34"), r.get("amount"));
            assertEquals("text", r.get("t"));
            assertEquals("short", r.get("vc"));
            assertEquals(true, r.get("b"));
            assertEquals((int) LocalDate.of(2024, 2, 29).toEpochDay(), r.get("d"));
            assertEquals("2024-02-29T12:00:00.000000Z", r.get("ts"));
            assertEquals("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", r.get("u"));
            assertEquals("{\"k\": [1, 2]}", r.get("j"));
            assertArrayEquals(new byte[]{1, 2, 3}, (byte[]) r.get("raw"));
            assertEquals(List.of(1, 2, 3), r.get("ints"));
            assertEquals(2.5, r.get("f"));
            Row free = assertInstanceOf(Row.class, r.get("free"), "numeric without precision is Debezium's VariableScaleDecimal");
            assertEquals(1, free.get("scale"));

            FieldType amount = r.schema().field("amount").type();
            assertEquals("org.apache.kafka.connect.data.Decimal", amount.logicalName());
            assertEquals("NUMERIC", amount.sourceColumnType());
            assertEquals("10", amount.parameters().get("__debezium.source.column.length"));
            assertEquals("2", amount.parameters().get("__debezium.source.column.scale"));
            assertEquals("20", r.schema().field("vc").type().parameters().get("__debezium.source.column.length"));
            assertEquals("io.debezium.time.Date", r.schema().field("d").type().logicalName());
            assertEquals("io.debezium.time.ZonedTimestamp", r.schema().field("ts").type().logicalName());
            assertEquals("io.debezium.data.Json", r.schema().field("j").type().logicalName());
            assertEquals(FieldType.Kind.INT32, r.schema().field("ints").type().elementType().kind());
            assertFalse(r.schema().field("id").type().optional());
        }
        dropSlot("s_typed");
    }

    @Test
    void tableWithoutPrimaryKeyHasNoKeyAndMixedCaseNamesArriveAsSpelled() throws Exception {
        sql("CREATE TABLE nokey (a int, b text)", "CREATE TABLE \"MixedCase\" (\"Id\" int PRIMARY KEY, \"Name\" text)");
        try (Capture c = new Capture(source("s_names", "no_data", "public.nokey", "public.MixedCase").build())) {
            awaitSlotActive("s_names");
            sql("INSERT INTO nokey VALUES (1, 'x')", "INSERT INTO \"MixedCase\" VALUES (7, 'Seven')");
            List<ChangeEvent> e = c.take(2, WAIT);
            assertEquals(new TableId("public", "nokey"), e.get(0).table());
            assertNull(e.get(0).key());
            assertEquals(Map.of("a", 1, "b", "x"), e.get(0).after().asMap());
            assertEquals(new TableId("public", "MixedCase"), e.get(1).table());
            assertEquals(7, e.get(1).key().get("Id"));
            assertEquals("Seven", e.get(1).after().get("Name"));
        }
        dropSlot("s_names");
    }

    @Test
    void unchangedToastedColumnIsUnchangedUnlessReplicaIdentityIsFull() throws Exception {
        sql("CREATE TABLE toast_default (id int PRIMARY KEY, n int, big text)",
                "CREATE TABLE toast_full (id int PRIMARY KEY, n int, big text)",
                "ALTER TABLE toast_full REPLICA IDENTITY FULL");
        // ~16 kB of md5 hex: incompressible enough to be stored out of line.
        String big = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 500) i)";
        sql("INSERT INTO toast_default VALUES (1, 0, " + big + ")", "INSERT INTO toast_full VALUES (1, 0, " + big + ")");
        String expected;
        try (Connection conn = connect(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT big FROM toast_full WHERE id = 1")) {
            rs.next();
            expected = rs.getString(1);
        }
        assertTrue(expected.length() > 8192);
        try (Capture c = new Capture(source("s_toast", "no_data", "public.toast_default", "public.toast_full").build())) {
            awaitSlotActive("s_toast");
            sql("UPDATE toast_default SET n = 1 WHERE id = 1", "UPDATE toast_full SET n = 1 WHERE id = 1");
            List<ChangeEvent> e = c.take(2, WAIT);
            assertEquals("toast_default", e.get(0).table().table());
            assertSame(Unchanged.VALUE, e.get(0).after().get("big"));
            assertEquals(1, e.get(0).after().get("n"));
            assertEquals("toast_full", e.get(1).table().table());
            assertEquals(expected, e.get(1).after().get("big"));
            assertEquals(expected, e.get(1).before().get("big"));
        }
        dropSlot("s_toast");
    }

    @Test
    void slotAndStoredOffsetMoveOnlyOnAcknowledgeAndARerunReplaysWhatFollows() throws Exception {
        sql("CREATE TABLE acked (id int PRIMARY KEY)");
        List<ChangeEvent> first;
        long createdAt;
        try (Capture c = new Capture(source("s_ack", "no_data", "public.acked").build())) {
            awaitSlotActive("s_ack");
            createdAt = slotConfirmedFlush("s_ack");
            sql("INSERT INTO acked VALUES (1)");
            tx("INSERT INTO acked VALUES (2)", "INSERT INTO acked VALUES (3)");
            sql("INSERT INTO acked VALUES (4)");
            first = c.take(4, WAIT);
            Thread.sleep(1500); // Debezium would have flushed by now if it flushed on delivery
            assertTrue(Long.compareUnsigned(slotConfirmedFlush("s_ack"), createdAt) <= 0,
                    "delivered but unacknowledged changes must not move confirmed_flush_lsn");
            assertFalse(stateDir.resolve(DebeziumChangeSource.OFFSET_FILE).toFile().exists(), "no offset stored yet");

            Position ack = first.get(2).position(); // the end of the two-row transaction
            c.source.acknowledge(ack);
            awaitSlotConfirmedAt("s_ack", ack.commitLsn(), Duration.ofSeconds(5), "the slot reaches the acknowledged commit LSN");
            assertEquals(ack.commitLsn(), storedCommitLsn(), "the stored offset holds the acknowledged commit LSN");
            assertEquals(ack, c.source.lastAcknowledged());
            Thread.sleep(500);
            assertTrue(Long.compareUnsigned(slotConfirmedFlush("s_ack"), first.get(3).position().commitLsn()) < 0,
                    "the slot does not pass the acknowledged position");
        }
        sql("INSERT INTO acked VALUES (5)");
        try (Capture c = new Capture(source("s_ack", "no_data", "public.acked").build())) {
            List<ChangeEvent> replay = c.take(2, WAIT);
            assertEquals(first.get(3).position(), replay.get(0).position(), "the first unacknowledged change comes again");
            assertEquals(4, replay.get(0).after().get("id"));
            assertEquals(5, replay.get(1).after().get("id"));
            assertTrue(replay.get(1).position().isAfter(replay.get(0).position()));
            c.assertNothingMore(Duration.ofMillis(500));
        }
        dropSlot("s_ack");
    }

    @Test
    void aTransactionOpenAcrossTheAcknowledgedCommitArrivesWholeAfterARestart() throws Exception {
        // pgoutput sends a transaction whole at its commit, with the WAL positions its changes had. Debezium's resume
        // search took "the message after the stored LSN" as where to resume: when a change of a transaction still open
        // directly followed the acknowledged commit record, everything of that transaction before it, BEGIN included,
        // was filtered after a restart and its first rows were lost without a trace.
        sql("CREATE TABLE open_tx (id int PRIMARY KEY)");
        try (Connection open = connect(); Statement o = open.createStatement()) {
            open.setAutoCommit(false);
            try (Capture c = new Capture(source("s_open", "no_data", "public.open_tx").heartbeatInterval(Duration.ZERO).build())) {
                awaitSlotActive("s_open");
                o.execute("INSERT INTO open_tx VALUES (1)");   // the open transaction starts,
                sql("INSERT INTO open_tx VALUES (100)");        // another one commits,
                o.execute("INSERT INTO open_tx VALUES (2)");   // and the open one's next change follows that commit record
                ChangeEvent committed = c.take(1, WAIT).get(0);
                assertEquals(100, committed.after().get("id"));
                c.source.acknowledge(committed.position());
                awaitSlotConfirmedAt("s_open", committed.position().commitLsn(), Duration.ofSeconds(10), "acknowledged");
            }
            o.execute("INSERT INTO open_tx VALUES (3)");
            open.commit();
        }
        try (Capture c = new Capture(source("s_open", "no_data", "public.open_tx").heartbeatInterval(Duration.ZERO).build())) {
            List<ChangeEvent> whole = c.take(3, WAIT);
            assertEquals(List.of(1, 2, 3), whole.stream().map(e -> e.after().get("id")).toList(), "the whole transaction, in order");
            assertEquals(List.of(0L, 1L, 2L), whole.stream().map(e -> e.position().index()).toList(), "stamped from its start");
            assertTrue(whole.get(2).lastInTransaction());
            c.assertNothingMore(Duration.ofMillis(500));
        }
        dropSlot("s_open");
    }

    @Test
    void aBlockedHandlerHoldsTheSourceBackAndCloseStillStopsIt() throws Exception {
        sql("CREATE TABLE blocked (id int PRIMARY KEY)");
        DebeziumChangeSource src = source("s_block", "no_data", "public.blocked").build();
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                src.run(e -> {
                    handled.incrementAndGet();
                    never.await();
                });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        runner.start();
        awaitSlotActive("s_block");
        sql("INSERT INTO blocked VALUES (1)", "INSERT INTO blocked VALUES (2)");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (handled.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(300);
        assertEquals(1, handled.get(), "the second change waits while the handler blocks on the first");
        src.close();
        runner.join(30_000);
        assertFalse(runner.isAlive(), "close() must stop a source whose handler is blocked");
        assertNull(thrown.get(), "a requested stop is not a failure");
        dropSlot("s_block");
    }

    @Test
    void aPublicationThatAnotherDeploymentReliesOnIsRefusedNamingBothTableLists() throws Exception {
        sql("CREATE TABLE pub_theirs (id int PRIMARY KEY)", "CREATE TABLE pub_mine (id int PRIMARY KEY)",
                "CREATE PUBLICATION shared_pub FOR TABLE pub_theirs");
        Capture c = new Capture(source("s_pub", "no_data", "public.pub_mine").publicationName("shared_pub").build());
        Throwable t = c.awaitFailure(Duration.ofSeconds(30));
        assertNotNull(t, "run() must refuse a publication it does not own");
        assertTrue(t.getMessage().contains("Cannot use publication 'shared_pub': it publishes [public.pub_theirs]")
                && t.getMessage().contains("captures [public.pub_mine]"), t.getMessage());
        try (Connection conn = connect(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT string_agg(tablename, ',') FROM pg_publication_tables WHERE pubname = 'shared_pub'")) {
            rs.next();
            assertEquals("pub_theirs", rs.getString(1), "the other deployment's publication is left as it was");
        }
        // without a name of its own a deployment takes its slot's name, which nobody else uses
        DebeziumSourceBuilder own = DebeziumChangeSource.builder().hostname(pg.host()).port(pg.port()).user(pg.user())
                .password(pg.password()).database(db).slotName("s_pub_own").name("s_pub_own").snapshotMode("no_data")
                .tableIncludeList(List.of("public.pub_mine")).stateDir(stateDir.resolve("own"));
        try (Capture ok = new Capture(own.build())) {
            awaitSlotActive("s_pub_own");
            sql("INSERT INTO pub_mine VALUES (1)");
            assertEquals(1, ok.take(1, WAIT).get(0).after().get("id"));
        }
        dropSlot("s_pub_own");
    }

    @Test
    void unreachablePostgresFailsRunWithTheReason() throws Exception {
        int closedPort = io.tideline.testkit.FreePorts.next();
        Capture c = new Capture(source("s_down", "no_data", "public.none").port(closedPort).build());
        Throwable t = c.awaitFailure(Duration.ofSeconds(30));
        assertNotNull(t, "run() must throw when PostgreSQL cannot be reached");
        System.out.println("run() failed with: " + t.getMessage());
        assertTrue(t.getMessage().contains("Cannot capture changes from " + pg.host() + ":" + closedPort), t.getMessage());
    }

    @Test
    void secondSourceOnAnActiveSlotFailsClearlyWithoutTakingIt() throws Exception {
        sql("CREATE TABLE shared_slot (id int PRIMARY KEY)");
        try (Capture owner = new Capture(source("s_dup", "no_data", "public.shared_slot").build())) {
            awaitSlotActive("s_dup");
            Path otherState = stateDir.resolve("other");
            Capture intruder = new Capture(source("s_dup", "no_data", "public.shared_slot")
                    .stateDir(otherState).name("intruder")
                    .debeziumProperties(Map.of("slot.max.retries", "1", "slot.retry.delay.ms", "100")).build());
            Throwable t = intruder.awaitFailure(Duration.ofSeconds(30));
            assertNotNull(t, "the second source must fail");
            System.out.println("run() failed with: " + t.getMessage());
            assertTrue(t.getMessage().startsWith("Cannot capture changes from"), t.getMessage());
            assertTrue(t.getMessage().contains("slot 's_dup'"), t.getMessage());
            assertTrue(t.getMessage().contains("is active for PID"), "PostgreSQL's reason is kept: " + t.getMessage());
            sql("INSERT INTO shared_slot VALUES (1)");
            assertEquals(1, owner.take(1, WAIT).get(0).after().get("id"), "the first source keeps capturing");
        }
        dropSlot("s_dup");
    }
}
