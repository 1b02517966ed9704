package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.api.Position;
import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's crash promise end to end: the real daemon replicates a mixed workload into Iceberg tables, is killed
 * with SIGKILL while a batch is being written, right after an Iceberg commit but before the epoch ledger is
 * written, and right after an epoch commit; restarted each time while the workload keeps committing. No row is
 * lost and none duplicated: in append mode each table holds every change exactly once, in upsert mode each table
 * equals its PostgreSQL source row for row.
 */
class IcebergExactlyOnceCrashIT {

    private static final String NAMESPACE = "e2e";
    private static final String[] PAUSE_POINTS = {"write:iceberg@150", "prepare:iceberg@2", "prepared:iceberg@3",
            "committed@2", "acknowledged@2"};
    private static PostgresCluster pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void services() {
        pg = PostgresCluster.shared();
    }

    @Test
    void appendTablesHoldEveryChangeExactlyOnceAcrossKillNine() throws Exception {
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            replicateThroughCrashes("append", warehouse, workload -> {
                Map<String, List<String>> actual = changesPerKey(warehouse);
                return actual.equals(workload.expected()) ? null : actual;
            }, (workload, ignored) -> assertEquals(new TreeMap<>(workload.expected()), new TreeMap<>(changesPerKey(warehouse)),
                    "every change exactly once, in source order, per key"));
        }
    }

    @Test
    void upsertTablesEqualPostgresAcrossKillNine() throws Exception {
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            Map<String, Object> last = new HashMap<>();
            replicateThroughCrashes("upsert", warehouse, workload -> {
                Map<String, Object> diff = new LinkedHashMap<>();
                for (String table : Workload.TABLES) {
                    Map<Long, Map<String, Object>> source = Workload.rows(workload.connection(), table);
                    Map<Long, Map<String, Object>> copy = icebergRows(warehouse, table);
                    if (!source.equals(copy)) diff.put(table, "postgres=" + source.size() + " rows, iceberg=" + copy.size() + " rows");
                    last.put(table + ".postgres", source);
                    last.put(table + ".iceberg", copy);
                }
                return diff.isEmpty() ? null : diff;
            }, (workload, diff) -> {
                for (String table : Workload.TABLES) {
                    assertEquals(last.get(table + ".postgres"), last.get(table + ".iceberg"), "table " + table + " row for row");
                }
            });
        }
    }

    /**
     * At every look, whatever the slot acknowledged is in Iceberg ({@link SlotInvariant}). Append tables keep every
     * change; transactions are told apart by the ticks row each one updates, as the Kafka crash IT does with its ledger.
     */
    private static final class IcebergSlotCheck {
        private final Connection probe;
        private final IcebergWarehouse warehouse;
        private final Workload workload;
        private final SlotInvariant invariant;
        private long lastCheck;

        IcebergSlotCheck(Connection probe, String slot, IcebergWarehouse warehouse, Workload workload) {
            this.probe = probe;
            this.warehouse = warehouse;
            this.workload = workload;
            this.invariant = new SlotInvariant(slot, "Iceberg");
        }

        void check() throws Exception {
            if (System.nanoTime() - lastCheck < 500_000_000L) return;   // Iceberg reads are not free
            lastCheck = System.nanoTime();
            long confirmed = invariant.confirmed(probe);
            long lastCommitted = workload.lastSeq();
            Map<Long, Integer> rowsByLsn = new HashMap<>();
            Map<Long, Long> seqByLsn = new HashMap<>();
            for (String table : Workload.TABLES) {
                if (!hasTable(warehouse, table)) continue;
                for (Record r : warehouse.readAll(NAMESPACE, table)) {
                    long lsn = Position.parse((String) r.getField("_tideline_position")).commitLsn();
                    rowsByLsn.merge(lsn, 1, Integer::sum);
                    if (table.equals("ticks") && !"d".equals(r.getField("_tideline_op"))) {
                        seqByLsn.put(lsn, ((Number) r.getField("tx_seq")).longValue());
                    }
                }
            }
            Map<Long, Integer> have = new HashMap<>();
            seqByLsn.forEach((lsn, seq) -> have.put(seq, rowsByLsn.getOrDefault(lsn, 0)));
            invariant.check(confirmed, lastCommitted, workload, have);
        }

        void assertHeld() {
            invariant.assertHeld(10);
        }
    }

    interface Comparison {
        /** Null when the sink holds what it should, otherwise what differs. */
        Object difference(Workload workload) throws Exception;
    }

    interface FinalAssertion {
        void check(Workload workload, Object difference) throws Exception;
    }

    private void replicateThroughCrashes(String mode, IcebergWarehouse warehouse, Comparison comparison,
                                         FinalAssertion finalAssertion) throws Exception {
        String db = pg.createDatabase("iceberg_" + mode);
        String slot = "tideline_iceberg_" + mode;
        Path config = writeConfig(db, slot, mode, warehouse);
        try (Connection conn = pg.connect(db); Connection probe = pg.connect(db)) {
            Workload workload = new Workload(conn, 7);
            // append tables keep every change, so they show which transactions are whole in Iceberg at any moment
            IcebergSlotCheck invariant = mode.equals("append") ? new IcebergSlotCheck(probe, slot, warehouse, workload) : null;
            workload.setUp(20);
            for (int run = 0; run < PAUSE_POINTS.length; run++) {
                try (DaemonProcess daemon = DaemonProcess.start(config, PAUSE_POINTS[run], dir.resolve(mode + "-" + run + ".log"))) {
                    if (run == 0) {
                        // start changing rows once the snapshot is committed, so no change is also read by the snapshot
                        await(() -> hasTable(warehouse, "ticks") && !warehouse.readAll(NAMESPACE, "ticks").isEmpty(), daemon, Duration.ofSeconds(120));
                        // ... and its epoch committed, so every kill below lands in streaming (SnapshotCrashIT kills mid-snapshot)
                        await(() -> Files.exists(dir.resolve(mode + "-state").resolve("epochs.ledger")), daemon, Duration.ofSeconds(60));
                        workload.start(40);
                    }
                    boolean checkNow = run > 0;   // the first run waits for the snapshot before any load
                    await(() -> {
                        if (invariant != null && checkNow) invariant.check();
                        return daemon.logContains("TIDELINE PAUSED AT ");
                    }, daemon, Duration.ofSeconds(120));
                    if (invariant != null) invariant.check();
                    daemon.kill9();
                }
            }
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve(mode + "-final.log"))) {
                Thread.sleep(2000);
                workload.stop();
                Object[] diff = new Object[1];
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while ((diff[0] = comparison.difference(workload)) != null) {
                    if (invariant != null) invariant.check();
                    if (System.nanoTime() > deadline) break;
                    if (!daemon.isAlive()) fail("daemon exited unexpectedly:\n" + daemon.tail());
                    Thread.sleep(1000);
                }
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), "graceful stop exits 0:\n" + daemon.tail());
                assertTrue(workload.lastSeq() > 100, "the workload committed enough transactions: " + workload.lastSeq());
                finalAssertion.check(workload, diff[0]);
                for (String table : Workload.TABLES) assertSummaryPositionNeverDecreases(warehouse, table);
                if (invariant != null) invariant.assertHeld();
            }
        } finally {
            pg.executeIn(db, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        }
    }

    private Path writeConfig(String db, String slot, String mode, IcebergWarehouse warehouse) throws Exception {
        List<String> lines = new ArrayList<>(List.of(
                "tideline.source.database.hostname=" + pg.host(),
                "tideline.source.database.port=" + pg.port(),
                "tideline.source.database.user=" + pg.user(),
                "tideline.source.database.password=" + pg.password(),
                "tideline.source.database.dbname=" + db,
                "tideline.source.slot.name=" + slot,
                "tideline.source.publication.name=" + slot,
                "tideline.source.table.include.list=public.accounts,public.orders,public.ticks",
                "tideline.runtime.epoch.duration=3s",
                "tideline.runtime.parallelism=2",
                "tideline.state.dir=" + dir.resolve(mode + "-state"),
                "tideline.sink.iceberg.enabled=true",
                "tideline.sink.iceberg.namespace=" + NAMESPACE,
                "tideline.sink.iceberg.trigger.interval=1s",
                "tideline.sink.iceberg.write.mode=" + mode,
                "tideline.http.port=0"));
        warehouse.catalogProperties().forEach((k, v) -> lines.add("tideline.sink.iceberg.catalog." + k + "=" + v));
        Path config = dir.resolve(mode + ".properties");
        Files.writeString(config, String.join("\n", lines) + "\n");
        return config;
    }

    private static void await(Check condition, DaemonProcess daemon, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) fail("timed out after " + timeout + "; daemon log:\n" + daemon.tail());
            if (!daemon.isAlive()) fail("daemon exited unexpectedly:\n" + daemon.tail());
            Thread.sleep(200);
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    private static boolean hasTable(IcebergWarehouse warehouse, String table) {
        return warehouse.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of(NAMESPACE, table));
    }

    /** Append mode: each table's rows ordered by position, as per-key change lists like the workload's. */
    private static Map<String, List<String>> changesPerKey(IcebergWarehouse warehouse) {
        List<Map.Entry<Position, String[]>> all = new ArrayList<>();
        for (String table : Workload.TABLES) {
            if (!hasTable(warehouse, table)) continue;
            for (Record r : warehouse.readAll(NAMESPACE, table)) {
                String op = (String) r.getField("_tideline_op");
                Object seq = r.getField("tx_seq");
                all.add(Map.entry(Position.parse((String) r.getField("_tideline_position")),
                        new String[] {table + ":" + r.getField("id"), op.equals("d") ? "d" : op + ":" + seq}));
            }
        }
        all.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        Map<String, List<String>> out = new HashMap<>();
        for (var e : all) out.computeIfAbsent(e.getValue()[0], k -> new ArrayList<>()).add(e.getValue()[1]);
        return out;
    }

    /** Upsert mode: the table as id → source columns (metadata columns left out), failing on a duplicated key. */
    private static Map<Long, Map<String, Object>> icebergRows(IcebergWarehouse warehouse, String table) {
        Map<Long, Map<String, Object>> out = new HashMap<>();
        if (!hasTable(warehouse, table)) return out;
        for (Record r : warehouse.readAll(NAMESPACE, table)) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (Types.NestedField f : r.struct().fields()) {
                if (f.name().startsWith("_tideline_")) continue;
                row.put(f.name(), r.getField(f.name()));
            }
            long id = ((Number) r.getField("id")).longValue();
            if (out.put(id, row) != null) fail("key " + id + " appears twice in Iceberg table " + table);
        }
        return out;
    }

    private static void assertSummaryPositionNeverDecreases(IcebergWarehouse warehouse, String table) {
        Table t = warehouse.table(NAMESPACE, table);
        List<Snapshot> newestFirst = new ArrayList<>();
        SnapshotUtil.currentAncestors(t).forEach(newestFirst::add);
        Position later = null;
        for (Snapshot s : newestFirst) {
            String p = s.summary().get("tideline.position");
            if (p == null) continue;
            Position pos = Position.parse(p);
            if (later != null) assertTrue(!pos.isAfter(later), table + ": summary position " + pos + " is after the later " + later);
            later = pos;
        }
        assertTrue(later != null, table + " has commits carrying tideline.position");
    }
}
