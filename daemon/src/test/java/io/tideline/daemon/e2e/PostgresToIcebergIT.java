package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.config.TidelineConfig;
import io.tideline.daemon.Pipeline;
import io.tideline.daemon.PipelineFactory;
import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.PostgresCluster;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 end to end: a mixed workload on a real PostgreSQL (inserts, updates, deletes, a multi-statement transaction,
 * and two schema changes while the pipeline runs: ADD COLUMN and int → bigint) flows through the real pipeline into
 * an upsert Iceberg table on the Hadoop catalog and on the JDBC catalog; read back with Iceberg's generic reader, the
 * table equals the PostgreSQL table row for row, values and Java types alike, and its schema followed both changes.
 */
class PostgresToIcebergIT {

    @TempDir
    Path dir;

    @Test
    void upsertTableOnHadoopCatalogEqualsPostgresAfterMixedWorkloadAndSchemaChanges() throws Exception {
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            replicateAndCompare(warehouse, "hadoop");
        }
    }

    @Test
    void upsertTableOnJdbcCatalogEqualsPostgresAfterMixedWorkloadAndSchemaChanges() throws Exception {
        try (IcebergWarehouse warehouse = IcebergWarehouse.jdbc(PostgresCluster.shared())) {
            replicateAndCompare(warehouse, "jdbc");
        }
    }

    private void replicateAndCompare(IcebergWarehouse warehouse, String name) throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("iceberg_" + name);
        String slot = "tideline_to_iceberg_" + name;
        pg.executeIn(db, "CREATE TABLE items (id int PRIMARY KEY, name varchar(20), qty int, price numeric(10,2),"
                + " created timestamptz, day date, flag boolean, tags text[], doc jsonb)");
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            for (int i = 1; i <= 30; i++) {
                s.execute("INSERT INTO items VALUES (" + i + ", 'item " + i + "', " + i * 10 + ", " + i + ".25,"
                        + " '2026-11-23 10:00:00+01'::timestamptz + interval '" + i + " minutes', '2026-01-" + (1 + i % 28)
                        + "', " + (i % 2 == 0) + ", '{a,b" + i + "}', '{\"n\": " + i + "}')");
            }
        }
        Map<String, String> props = new HashMap<>(Map.of(
                "tideline.source.database.hostname", pg.host(),
                "tideline.source.database.port", String.valueOf(pg.port()),
                "tideline.source.database.user", pg.user(),
                "tideline.source.database.password", pg.password(),
                "tideline.source.database.dbname", db,
                "tideline.source.slot.name", slot,
                "tideline.source.publication.name", slot,
                "tideline.source.table.include.list", "public.items",
                "tideline.runtime.epoch.duration", "2s",
                "tideline.state.dir", dir.resolve(name).toString()));
        props.putAll(Map.of(
                "tideline.sink.iceberg.enabled", "true",
                "tideline.sink.iceberg.namespace", "e2e",
                "tideline.sink.iceberg.trigger.interval", "1s",
                "tideline.http.port", "0"));
        warehouse.catalogProperties().forEach((k, v) -> props.put("tideline.sink.iceberg.catalog." + k, v));
        Pipeline pipeline = PipelineFactory.create(TidelineConfig.from(props, Map.of()), new SimpleMeterRegistry());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                pipeline.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "pipeline");
        runner.start();
        try {
            awaitEqual(pg, db, warehouse, failure, 30); // the snapshot
            try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                s.execute("UPDATE items SET qty = qty + 1, price = price * 2 WHERE id % 3 = 0");
                s.execute("DELETE FROM items WHERE id IN (2, 4)");
                c.setAutoCommit(false);
                s.execute("INSERT INTO items (id, name, qty) VALUES (31, 'in tx', 1)");
                s.execute("UPDATE items SET name = 'changed in tx' WHERE id = 31");
                s.execute("DELETE FROM items WHERE id = 5");
                c.commit();
                c.setAutoCommit(true);
                s.execute("ALTER TABLE items ADD COLUMN note text");                 // schema change 1
                s.execute("UPDATE items SET note = 'noted ' || id WHERE id <= 10");
                s.execute("INSERT INTO items (id, name, qty, note) VALUES (32, 'after add', 3, 'fresh')");
                s.execute("ALTER TABLE items ALTER COLUMN qty TYPE bigint");           // schema change 2
                s.execute("UPDATE items SET qty = 5000000000 WHERE id = 32");
                s.execute("INSERT INTO items (id, name, qty) VALUES (33, 'after widen', 6000000000)");
                s.execute("DELETE FROM items WHERE id = 7");
                s.execute("UPDATE items SET tags = '{}', doc = NULL, flag = NULL WHERE id = 8");
            }
            awaitEqual(pg, db, warehouse, failure, 33 - 4);
            Schema schema = warehouse.table("e2e", "items").schema();
            assertEquals(Type.TypeID.LONG, schema.findField("qty").type().typeId(), "int -> bigint widened in Iceberg");
            assertEquals(Type.TypeID.STRING, schema.findField("note").type().typeId(), "ADD COLUMN reached Iceberg");
            // read from the Iceberg side: the value as the sink wrote it, not what PostgreSQL holds
            Map<Integer, Map<String, Object>> inIceberg = icebergRows(warehouse, List.of("id", "qty"));
            assertEquals(5_000_000_000L, inIceberg.get(32).get("qty"));
        } finally {
            pipeline.stop();
            runner.join(60_000);
            assertTrue(!runner.isAlive(), "the pipeline's run() did not return within 60 s of stop()");
            E2e.dropSlot(pg, db, slot);
        }
        assertTrue(failure.get() == null, "pipeline failed: " + failure.get());
    }

    /** Polls until Iceberg equals Postgres (values and classes) with {@code rows} rows; returns the rows. */
    private Map<Integer, Map<String, Object>> awaitEqual(PostgresCluster pg, String db, IcebergWarehouse warehouse,
                                                         AtomicReference<Throwable> failure, int rows) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        Map<Integer, Map<String, Object>> source;
        Map<Integer, Map<String, Object>> copy = Map.of();
        while (true) {
            if (failure.get() != null) fail("pipeline failed", failure.get());
            source = postgresRows(pg, db);
            if (warehouse.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of("e2e", "items"))) {
                copy = icebergRows(warehouse, source.isEmpty() ? List.of() : List.copyOf(source.values().iterator().next().keySet()));
            }
            if (source.size() == rows && source.equals(copy)) return source;
            if (System.nanoTime() > deadline) {
                assertEquals(new TreeMap<>(source).toString(), new TreeMap<>(copy).toString(), "Iceberg equals Postgres");
                fail("Postgres has " + source.size() + " rows, expected " + rows);
            }
            Thread.sleep(500);
        }
    }

    /** Postgres rows in the Java types the Iceberg generic reader uses for the mapped types. */
    private static Map<Integer, Map<String, Object>> postgresRows(PostgresCluster pg, String db) throws Exception {
        Map<Integer, Map<String, Object>> out = new HashMap<>();
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM items")) {
            var md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String col = md.getColumnName(i);
                    Object v = switch (md.getColumnTypeName(i)) {
                        case "int4" -> rs.getObject(i, Integer.class);
                        case "int8" -> rs.getObject(i, Long.class);
                        case "numeric" -> rs.getBigDecimal(i);
                        case "timestamptz" -> {
                            OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                            yield t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
                        }
                        case "date" -> rs.getObject(i, LocalDate.class);
                        case "bool" -> rs.getObject(i, Boolean.class);
                        case "_text" -> {
                            Array a = rs.getArray(i);
                            yield a == null ? null : Arrays.asList((Object[]) a.getArray());
                        }
                        default -> rs.getString(i); // varchar, text, jsonb (its text form)
                    };
                    row.put(col, v);
                }
                out.put((Integer) row.get("id"), row);
            }
        }
        return out;
    }

    private static Map<Integer, Map<String, Object>> icebergRows(IcebergWarehouse warehouse, List<String> columns) {
        Map<Integer, Map<String, Object>> out = new HashMap<>();
        for (Record r : warehouse.readAll("e2e", "items")) {
            Map<String, Object> row = new LinkedHashMap<>();
            for (String col : columns) {
                Object v = r.struct().field(col) == null ? "<missing column>" : r.getField(col);
                if (v instanceof BigDecimal || v instanceof List<?> || v == null || v instanceof String
                        || v instanceof Integer || v instanceof Long || v instanceof Boolean || v instanceof LocalDate) {
                    row.put(col, v);
                } else if (v instanceof OffsetDateTime t) {
                    row.put(col, t.withOffsetSameInstant(ZoneOffset.UTC));
                } else {
                    row.put(col, v.getClass().getSimpleName() + ":" + v);
                }
            }
            if (out.put((Integer) r.getField("id"), row) != null) fail("id " + r.getField("id") + " twice in Iceberg");
        }
        return out;
    }
}
