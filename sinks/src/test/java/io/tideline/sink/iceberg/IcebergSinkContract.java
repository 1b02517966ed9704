package io.tideline.sink.iceberg;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.SinkWriter;
import io.tideline.api.TableId;
import io.tideline.api.Unchanged;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.tideline.sink.iceberg.SourceTable.bool;
import static io.tideline.sink.iceberg.SourceTable.bytea;
import static io.tideline.sink.iceberg.SourceTable.date;
import static io.tideline.sink.iceberg.SourceTable.float4;
import static io.tideline.sink.iceberg.SourceTable.float8;
import static io.tideline.sink.iceberg.SourceTable.int16;
import static io.tideline.sink.iceberg.SourceTable.int32;
import static io.tideline.sink.iceberg.SourceTable.int64;
import static io.tideline.sink.iceberg.SourceTable.jsonb;
import static io.tideline.sink.iceberg.SourceTable.numeric;
import static io.tideline.sink.iceberg.SourceTable.text;
import static io.tideline.sink.iceberg.SourceTable.textArray;
import static io.tideline.sink.iceberg.SourceTable.timestamp;
import static io.tideline.sink.iceberg.SourceTable.timestamptz;
import static io.tideline.sink.iceberg.SourceTable.uuid;
import static io.tideline.sink.iceberg.SourceTable.varchar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Iceberg sink's behaviour on a real catalog and warehouse, fed with hand-built change events shaped like the
 * Debezium source's. Subclasses pick the catalog (Hadoop, JDBC on PostgreSQL).
 */
abstract class IcebergSinkContract {

    static {
        // Iceberg and Hadoop log every commit and scan at INFO; keep the test output readable.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.iceberg", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "warn");
    }

    /** Catalog properties of a running catalog (type, warehouse, uri...). */
    protected abstract Map<String, String> catalogProperties();

    private final List<IcebergSink> sinks = new ArrayList<>();
    private String namespace;

    @BeforeEach
    void namespacePerTest(TestInfo info) {
        namespace = "it_" + info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "")
                .substring(0, 12) + "_" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    @AfterEach
    void closeSinks() throws Exception {
        for (IcebergSink s : sinks) s.close();
    }

    private IcebergSink sink(WriteMode mode) {
        IcebergSink s = IcebergSink.builder().catalogProperties(catalogProperties()).namespace(namespace)
                .writeMode(mode).upkeep(Upkeep.disabled()).meterRegistry(new SimpleMeterRegistry()).build();
        sinks.add(s);
        return s;
    }

    private static Position p(long lsn, long index) {
        return new Position(lsn, index);
    }

    private static Position feed(SinkWriter w, long epoch, List<ChangeEvent> batch) throws Exception {
        for (ChangeEvent e : batch) w.write(e, epoch);
        return w.prepare(epoch);
    }

    private static Table table(IcebergSink sink, SourceTable t) {
        return sink.catalog().loadTable(sink.tableFor(t.id));
    }

    private static List<Record> readAll(IcebergSink sink, SourceTable t) throws IOException {
        List<Record> out = new ArrayList<>();
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table(sink, t)).build()) {
            for (Record r : rows) out.add(r.copy());
        }
        return out;
    }

    private static Map<Object, Record> byKey(List<Record> rows, String key) {
        Map<Object, Record> m = new TreeMap<>();
        for (Record r : rows) {
            Record previous = m.put(r.getField(key), r);
            assertNull(previous, "duplicate key " + r.getField(key));
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------------------
    // A table with every mapped type, and the Iceberg values its rows must read back as.

    private static final SourceTable ORDERS = new SourceTable(new TableId("public", "Orders"), List.of(
            int32("id", false), int16("qty"), int64("big"), numeric("amount", 10, 2), varchar("name", 40), text("note"),
            bool("paid"), date("day"), timestamp("created"), timestamptz("updated"), uuid("ref"), jsonb("doc"),
            bytea("blob"), float4("f4"), float8("f8"), textArray("tags")), List.of("id"));

    private static final LocalDateTime BASE_TS = LocalDateTime.of(2024, 5, 6, 7, 8, 9, 123_456_000);

    private static Object[] orderValues(int id, int version) {
        LocalDateTime ts = BASE_TS.plusSeconds(id * 60L + version);
        long micros = ts.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + ts.getNano() / 1_000;
        return new Object[]{id, (short) (id + version), 10_000_000_000L * id + version,
                new BigDecimal(id + "." + version).setScale(2), "name-" + id + "-" + version, version % 2 == 0 ? null : "note " + version,
                version % 2 == 0, (int) LocalDate.of(2024, 1, 1).plusDays(id).toEpochDay(), micros,
                OffsetDateTime.of(ts, ZoneOffset.ofHours(2)).toString(), new UUID(id, version).toString(),
                "{\"v\": " + version + "}", new byte[]{(byte) id, (byte) version}, id + 0.5f, version + 0.25d,
                List.of("t" + id, "v" + version)};
    }

    private static Map<String, Object> expectedOrder(int id, int version) {
        LocalDateTime ts = BASE_TS.plusSeconds(id * 60L + version);
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("qty", id + version);
        m.put("big", 10_000_000_000L * id + version);
        m.put("amount", new BigDecimal(id + "." + version).setScale(2));
        m.put("name", "name-" + id + "-" + version);
        m.put("note", version % 2 == 0 ? null : "note " + version);
        m.put("paid", version % 2 == 0);
        m.put("day", LocalDate.of(2024, 1, 1).plusDays(id));
        m.put("created", ts);
        m.put("updated", OffsetDateTime.of(ts, ZoneOffset.ofHours(2)).withOffsetSameInstant(ZoneOffset.UTC));
        m.put("ref", new UUID(id, version));
        m.put("doc", "{\"v\": " + version + "}");
        m.put("blob", ByteBuffer.wrap(new byte[]{(byte) id, (byte) version}));
        m.put("f4", id + 0.5f);
        m.put("f8", version + 0.25d);
        m.put("tags", List.of("t" + id, "v" + version));
        return m;
    }

    /** Three batches of inserts, updates (some twice in a batch), deletes and a delete + re-insert. */
    private static List<List<ChangeEvent>> ordersWorkload() {
        SourceTable t = ORDERS;
        List<ChangeEvent> b1 = new ArrayList<>();
        for (int id = 1; id <= 5; id++) b1.add(t.insert(p(100, id), orderValues(id, 0)));
        List<ChangeEvent> b2 = List.of(
                t.update(p(200, 0), orderValues(2, 1)),
                t.delete(p(200, 1), 3),
                t.insert(p(201, 0), orderValues(6, 0)),
                t.update(p(202, 0), orderValues(6, 1)),
                t.insert(p(203, 0), orderValues(7, 0)));
        List<ChangeEvent> b3 = List.of(
                t.delete(p(300, 0), 1),
                t.insert(p(301, 0), orderValues(1, 5)),
                t.update(p(302, 0), orderValues(4, 3)),
                t.update(p(302, 1), orderValues(7, 2)));
        return List.of(b1, b2, b3);
    }

    /** id → version of the final table after {@link #ordersWorkload()}. */
    private static final Map<Integer, Integer> ORDERS_FINAL = Map.of(1, 5, 2, 1, 4, 3, 5, 0, 6, 1, 7, 2);

    @Test
    void upsertTableEqualsTheExpectedFinalTableRowForRowWithValuesAndTypes() throws Exception {
        IcebergSink sink = sink(WriteMode.UPSERT);
        SinkWriter w = sink.openWriter(0, 1);
        long epoch = 1;
        Position durable = null;
        for (List<ChangeEvent> batch : ordersWorkload()) durable = feed(w, epoch++, batch);
        assertEquals(p(302, 1), durable);

        Table table = table(sink, ORDERS);
        assertEquals(2, ((org.apache.iceberg.HasTableOperations) table).operations().current().formatVersion());
        assertEquals(Set.of("id"), table.schema().identifierFieldNames());
        assertEquals(Types.DecimalType.of(10, 2), table.schema().findType("amount"));
        assertEquals(Types.TimestampType.withZone(), table.schema().findType("updated"));
        assertEquals(Types.UUIDType.get(), table.schema().findType("ref"));
        assertEquals("302/1", table.currentSnapshot().summary().get(SummaryKeys.POSITION));
        assertEquals("3", table.currentSnapshot().summary().get(SummaryKeys.EPOCH));

        Map<Object, Record> rows = byKey(readAll(sink, ORDERS), "id");
        assertEquals(new TreeMap<>(ORDERS_FINAL).keySet(), rows.keySet());
        for (Map.Entry<Integer, Integer> e : ORDERS_FINAL.entrySet()) {
            Record r = rows.get(e.getKey());
            expectedOrder(e.getKey(), e.getValue()).forEach((column, expected) ->
                    assertEquals(expected, r.getField(column), "column " + column + " of id " + e.getKey()));
        }
        assertEquals("u", rows.get(4).getField(MetadataColumns.OP));
        assertEquals("302/0", rows.get(4).getField(MetadataColumns.POSITION));
        assertTrue(rows.get(4).getField(MetadataColumns.COMMIT_TS) instanceof OffsetDateTime);

        var registry = sink.metrics().registry();
        String name = sink.tableFor(ORDERS.id).toString();
        assertEquals(14, registry.get("tideline.iceberg.freshness").tag("table", name).timer().count(),
                "one freshness sample per committed change");
        assertEquals(3, registry.get("tideline.iceberg.commit.duration").tag("table", name).timer().count());
        assertEquals(14.0, registry.get("tideline.iceberg.batch.size").tag("table", name).summary().totalAmount());
        assertEquals(3.0, registry.get("tideline.iceberg.files").tags("table", name, "content", "data").gauge().value());
    }

    @Test
    void appendTableHoldsEveryChangeExactlyOnce() throws Exception {
        IcebergSink sink = sink(WriteMode.APPEND);
        assertFalse(sink.keepLastPerKey(ORDERS.id));
        SinkWriter w = sink.openWriter(0, 1);
        List<ChangeEvent> all = new ArrayList<>();
        long epoch = 1;
        for (List<ChangeEvent> batch : ordersWorkload()) {
            feed(w, epoch++, batch);
            all.addAll(batch);
        }
        assertTrue(table(sink, ORDERS).schema().identifierFieldNames().isEmpty());
        List<Record> rows = readAll(sink, ORDERS);
        Map<String, String> opByPosition = rows.stream().collect(Collectors.toMap(
                r -> (String) r.getField(MetadataColumns.POSITION), r -> (String) r.getField(MetadataColumns.OP)));
        assertEquals(all.size(), rows.size());
        for (ChangeEvent e : all) assertEquals(e.op().code(), opByPosition.get(e.position().toString()));
    }

    @Test
    void replayingAnyPrefixOfTheStreamWritesNothingTwice() throws Exception {
        IcebergSink first = sink(WriteMode.APPEND);
        SinkWriter w = first.openWriter(0, 1);
        List<List<ChangeEvent>> batches = ordersWorkload();
        long epoch = 1;
        for (List<ChangeEvent> batch : batches) feed(w, epoch++, batch);
        w.close();
        Table table = table(first, ORDERS);
        long snapshots = count(table.snapshots());
        Set<String> before = positions(readAll(first, ORDERS));

        for (int prefix = 0; prefix <= batches.size(); prefix++) {
            IcebergSink restarted = sink(WriteMode.APPEND);
            SinkWriter replay = restarted.openWriter(0, 1);
            Position reported = null;
            for (int i = 0; i < prefix; i++) reported = feed(replay, i + 1, batches.get(i));
            if (prefix == 0) reported = replay.prepare(0);
            assertEquals(p(302, 1), reported, "a replayed epoch reports what the table already holds");
            replay.close();
        }
        // a batch straddling the fence: only the part above it is new
        IcebergSink restarted = sink(WriteMode.APPEND);
        SinkWriter replay = restarted.openWriter(0, 1);
        List<ChangeEvent> straddle = new ArrayList<>(batches.get(2));
        straddle.add(ORDERS.insert(p(400, 0), orderValues(9, 0)));
        assertEquals(p(400, 0), feed(replay, 4, straddle));

        table.refresh();
        assertEquals(snapshots + 1, count(table.snapshots()));
        Set<String> after = positions(readAll(first, ORDERS));
        assertEquals(before.size() + 1, after.size());
        assertEquals(readAll(first, ORDERS).size(), after.size(), "no position is stored twice");
    }

    @Test
    void maintenanceByAnotherToolThatLeavesNoSummaryDoesNotLetAReplayWriteTwice() throws Exception {
        IcebergSink first = sink(WriteMode.APPEND);
        SinkWriter w = first.openWriter(0, 1);
        List<List<ChangeEvent>> batches = ordersWorkload();
        long epoch = 1;
        for (List<ChangeEvent> batch : batches) feed(w, epoch++, batch);
        w.close();
        Table table = table(first, ORDERS);
        int rowsBefore = readAll(first, ORDERS).size();
        // what a Spark rewrite_data_files + expire_snapshots(retain_last => 1) leaves: a head snapshot without
        // tideline.position and no older snapshot to find one in
        table.newFastAppend().set("spark.app.id", "maintenance").commit();
        table.expireSnapshots().retainLast(1).expireOlderThan(System.currentTimeMillis() + 1).commit();
        table.refresh();
        assertEquals(1, count(table.snapshots()));
        assertNull(table.currentSnapshot().summary().get(SummaryKeys.POSITION));

        IcebergSink restarted = sink(WriteMode.APPEND);
        SinkWriter replay = restarted.openWriter(0, 1);
        Position reported = null;
        for (int i = 0; i < batches.size(); i++) reported = feed(replay, i + 1, batches.get(i));
        assertEquals(p(302, 1), reported, "the table property keeps the fence");
        assertEquals(rowsBefore, readAll(restarted, ORDERS).size(), "the replay wrote nothing twice");
    }

    @Test
    void schemaChangesMidStreamKeepEveryRowWrittenAroundThem() throws Exception {
        SourceTable v1 = new SourceTable(new TableId("public", "items"),
                List.of(int32("id", false), int32("qty", true), varchar("label", 10), int32("gone", true)), List.of("id"));
        SourceTable v2 = v1.altered(List.of(int32("id", false), int64("qty"), text("label"), text("extra")));
        IcebergSink sink = sink(WriteMode.UPSERT);
        SinkWriter w = sink.openWriter(0, 1);
        feed(w, 1, List.of(v1.insert(p(10, 0), 1, 1, "a", 1), v1.insert(p(10, 1), 2, 2, "b", 2)));
        // one batch with rows before and after ALTER TABLE (drop gone, add extra, int → bigint, varchar → text);
        // gone and extra differ in type, or the change would be taken for a rename
        feed(w, 2, List.of(v1.insert(p(20, 0), 3, 3, "c", 3),
                v2.update(p(21, 0), 2, 5_000_000_000L, "b2", "x2"),
                v2.insert(p(22, 0), 4, 4L, "d", "x4")));
        feed(w, 3, List.of(v2.insert(p(30, 0), 5, 5L, "e", null)));

        Table table = table(sink, v1);
        assertEquals(Types.LongType.get(), table.schema().findType("qty"));
        assertEquals(Types.StringType.get(), table.schema().findType("extra"));
        assertNull(table.schema().findField("gone"));
        Map<Object, Record> rows = byKey(readAll(sink, v1), "id");
        assertEquals(Set.of(1, 2, 3, 4, 5), rows.keySet());
        assertEquals(1L, rows.get(1).getField("qty"));
        assertEquals(3L, rows.get(3).getField("qty"));
        assertEquals(5_000_000_000L, rows.get(2).getField("qty"));
        assertEquals("x2", rows.get(2).getField("extra"));
        assertNull(rows.get(1).getField("extra"));
        assertEquals("c", rows.get(3).getField("label"));
    }

    @Test
    void aColumnRenameParksTheTableInsteadOfNullingItAndARestartAfterTheIcebergRenameGoesOn() throws Exception {
        SourceTable v1 = new SourceTable(new TableId("public", "renamed"), List.of(int32("id", false), text("code")), List.of("id"));
        SourceTable v2 = v1.altered(List.of(int32("id", false), text("label")));
        IcebergSink sink = sink(WriteMode.UPSERT);
        SinkWriter w = sink.openWriter(0, 1);
        feed(w, 1, List.of(v1.insert(p(10, 0), 1, "a"), v1.insert(p(11, 0), 2, "b")));
        w.write(v2.insert(p(20, 0), 3, "c"), 2);
        w.prepare(2);
        String reason = sink.parkedTables().get(v1.id).reason();
        assertTrue(reason.contains("'code' is gone and 'label'") && reason.contains("RENAME COLUMN code TO label"), reason);
        assertEquals(p(11, 0), w.holdAt());
        table(sink, v1).updateSchema().renameColumn("code", "label").commit();   // what the message asks for
        SinkWriter restarted = sink(WriteMode.UPSERT).openWriter(0, 1);          // a restart replays from the hold
        feed(restarted, 2, List.of(v2.insert(p(20, 0), 3, "c")));
        Map<Object, Record> rows = byKey(readAll(sink, v1), "id");
        assertEquals("a", rows.get(1).getField("label"), "rows written before the rename keep their value");
        assertEquals("c", rows.get(3).getField("label"));
    }

    @Test
    void anIncompatibleColumnChangeParksThatTableHoldsTheSlotAtItsLastCommitAndTheOthersGoOn() throws Exception {
        SourceTable v1 = new SourceTable(new TableId("public", "stops"), List.of(int32("id", false), text("code")), List.of("id"));
        SourceTable v2 = v1.altered(List.of(int32("id", false), int32("code", true)));
        SourceTable other = new SourceTable(new TableId("public", "goes_on"), List.of(int32("id", false), text("code")), List.of("id"));
        IcebergSink sink = sink(WriteMode.UPSERT);
        SinkWriter w = sink.openWriter(0, 1);
        feed(w, 1, List.of(v1.insert(p(10, 0), 1, "a"), other.insert(p(11, 0), 1, "x")));
        assertEquals(null, w.holdAt(), "nothing parked, nothing held");
        w.write(v2.insert(p(20, 0), 2, 7), 2);
        w.write(other.insert(p(21, 0), 2, "y"), 2);
        w.prepare(2);   // does not fail: the other table commits
        assertEquals(p(10, 0), w.holdAt(), "the slot is held at the parked table's last commit");
        IcebergSink.Parked parked = sink.parkedTables().get(v1.id);
        assertTrue(parked.reason().contains(namespace + ".stops") && parked.reason().contains("'code'"), parked.reason());
        w.write(v2.insert(p(30, 0), 3, 8), 3);   // skipped while parked
        w.write(other.insert(p(31, 0), 3, "z"), 3);
        w.prepare(3);
        assertEquals(1, readAll(sink, v1).size(), "the parked table keeps what it committed before the change");
        assertEquals(3, readAll(sink, other).size(), "the other table goes on");
    }

    @Test
    void unchangedToastValuesKeepTheStoredValue() throws Exception {
        SourceTable t = new SourceTable(new TableId("public", "docs"), List.of(int32("id", false), text("title"), text("body")), List.of("id"));
        String big1 = "x".repeat(300_000);
        String big2 = "y".repeat(250_000);
        IcebergSink sink = sink(WriteMode.UPSERT);
        SinkWriter w = sink.openWriter(0, 1);
        feed(w, 1, List.of(t.insert(p(10, 0), 1, "one", big1), t.insert(p(10, 1), 2, "two", big2)));
        // across batches: read from the table; within a batch: taken from the earlier image
        feed(w, 2, List.of(t.update(p(20, 0), 1, "one-b", Unchanged.VALUE)));
        feed(w, 3, List.of(t.update(p(30, 0), 2, "two-b", Unchanged.VALUE), t.update(p(30, 1), 2, "two-c", Unchanged.VALUE),
                t.update(p(31, 0), 1, "one-c", Unchanged.VALUE)));
        Map<Object, Record> rows = byKey(readAll(sink, t), "id");
        assertEquals(big1, rows.get(1).getField("body"));
        assertEquals("one-c", rows.get(1).getField("title"));
        assertEquals(big2, rows.get(2).getField("body"));
        assertEquals("two-c", rows.get(2).getField("title"));

        IcebergSink changelog = sink(WriteMode.APPEND);
        SourceTable log = new SourceTable(new TableId("public", "docs_log"), t.rowType.fields(), List.of("id"));
        SinkWriter lw = changelog.openWriter(0, 1);
        feed(lw, 1, List.of(log.insert(p(10, 0), 1, "one", big1)));
        feed(lw, 2, List.of(log.update(p(20, 0), 1, "one-b", Unchanged.VALUE)));
        for (Record r : readAll(changelog, log)) assertEquals(big1, r.getField("body"));
    }

    @Test
    void aConcurrentCommitByAnotherWriterIsRetriedWithoutDuplication() throws Exception {
        SourceTable t = new SourceTable(new TableId("public", "events"), List.of(int32("id", false), text("v")), List.of("id"));
        IcebergSink a = sink(WriteMode.APPEND);
        IcebergSink b = sink(WriteMode.APPEND);
        SinkWriter wa = a.openWriter(0, 1);
        feed(wa, 1, List.of(t.insert(p(1, 0), 0, "seed")));
        List<ChangeEvent> stream = new ArrayList<>();
        for (int i = 1; i <= 8; i++) stream.add(t.insert(p(10, i), i, "v" + i));
        AtomicBoolean once = new AtomicBoolean();
        a.beforeCommitHook(table -> {
            if (once.compareAndSet(false, true)) {
                try { // a second daemon commits the first five changes while A's files are written but not committed
                    SinkWriter wb = b.openWriter(0, 1);
                    assertEquals(p(10, 5), feed(wb, 2, stream.subList(0, 5)));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }
        });
        assertEquals(p(10, 8), feed(wa, 2, stream));
        assertEquals(1.0, a.metrics().registry().get("tideline.iceberg.commit.conflicts").counter().count());

        List<Record> rows = readAll(a, t);
        assertEquals(9, rows.size());
        assertEquals(9, positions(rows).size(), "every position exactly once");
        assertEquals(referencedFiles(table(a, t)), filesOnDisk(table(a, t)), "the conflicting attempt's files were deleted");
    }

    @Test
    void upkeepCompactsDataAndDeleteFilesAndReadsStayEqual() throws Exception {
        IcebergSink sink = IcebergSink.builder().catalogProperties(catalogProperties()).namespace(namespace)
                .upkeep(Upkeep.disabled().retainLastSnapshots(2).snapshotRetention(Duration.ZERO).minSmallFiles(2))
                .meterRegistry(new SimpleMeterRegistry()).build();
        sinks.add(sink);
        SinkWriter w = sink.openWriter(0, 1);
        long epoch = 1;
        for (List<ChangeEvent> batch : ordersWorkload()) feed(w, epoch++, batch);
        for (int v = 10; v < 14; v++) feed(w, epoch++, List.of(ORDERS.update(p(500 + v, 0), orderValues(2, v))));
        Table table = table(sink, ORDERS);
        assertTrue(Long.parseLong(table.currentSnapshot().summary().get("total-delete-files")) > 0);
        Map<Object, Record> before = byKey(readAll(sink, ORDERS), "id");
        String position = table.currentSnapshot().summary().get(SummaryKeys.POSITION);

        sink.runUpkeepNow();

        table.refresh();
        Snapshot head = table.currentSnapshot();
        assertEquals("0", head.summary().get("total-delete-files"));
        assertEquals("1", head.summary().get("total-data-files"));
        assertEquals(position, head.summary().get(SummaryKeys.POSITION), "upkeep carries the fence forward");
        assertEquals(String.valueOf(epoch - 1), head.summary().get(SummaryKeys.EPOCH));
        assertTrue(count(table.snapshots()) <= 2, "old snapshots expired");
        assertEquals(before, byKey(readAll(sink, ORDERS), "id"));

        // equality deletes committed after the compaction still apply to the compacted rows
        feed(w, epoch, List.of(ORDERS.update(p(600, 0), orderValues(5, 9)), ORDERS.delete(p(600, 1), 6)));
        Map<Object, Record> after = byKey(readAll(sink, ORDERS), "id");
        assertEquals(5, after.size());
        assertEquals("name-5-9", after.get(5).getField("name"));
    }

    @Test
    void aBatchCommittedWhileUpkeepCompactsSurvivesAndTheFenceNeverMovesBack() throws Exception {
        IcebergSink sink = IcebergSink.builder().catalogProperties(catalogProperties()).namespace(namespace)
                .upkeep(Upkeep.disabled().minSmallFiles(2)).meterRegistry(new SimpleMeterRegistry()).build();
        sinks.add(sink);
        SinkWriter w = sink.openWriter(0, 1);
        long epoch = 1;
        for (List<ChangeEvent> batch : ordersWorkload()) feed(w, epoch++, batch);
        long concurrentEpoch = epoch;
        sink.beforeUpkeepCommitHook(table -> {
            try { // the compaction read the table before this batch; the batch commits before the compaction does
                feed(w, concurrentEpoch, List.of(ORDERS.update(p(700, 0), orderValues(5, 8)), ORDERS.delete(p(700, 1), 6)));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        sink.runUpkeepNow();

        Table table = table(sink, ORDERS);
        assertEquals("compaction", table.currentSnapshot().summary().get("tideline.upkeep"));
        assertEquals("700/1", table.currentSnapshot().summary().get(SummaryKeys.POSITION));
        assertEquals(String.valueOf(concurrentEpoch), table.currentSnapshot().summary().get(SummaryKeys.EPOCH));
        Map<Object, Record> rows = byKey(readAll(sink, ORDERS), "id");
        assertEquals(Set.of(1, 2, 4, 5, 7), rows.keySet());
        assertEquals("name-5-8", rows.get(5).getField("name"));
    }

    private static long count(Iterable<?> it) {
        long n = 0;
        for (Object ignored : it) n++;
        return n;
    }

    private static Set<String> positions(List<Record> rows) {
        return rows.stream().map(r -> (String) r.getField(MetadataColumns.POSITION)).collect(Collectors.toSet());
    }

    private static Set<String> referencedFiles(Table table) throws IOException {
        Set<String> files = new HashSet<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                files.add(localPath(task.file().location()));
                task.deletes().forEach(d -> files.add(localPath(d.location())));
            }
        }
        return files;
    }

    private static Set<String> filesOnDisk(Table table) throws IOException {
        Path data = Paths.get(localPath(table.location())).resolve("data");
        try (Stream<Path> s = Files.walk(data)) {
            return s.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".parquet"))
                    .map(Path::toString).collect(Collectors.toSet());
        }
    }

    private static String localPath(String location) {
        return Paths.get(location.replaceFirst("^file:(//)?", "")).toAbsolutePath().normalize().toString();
    }
}
