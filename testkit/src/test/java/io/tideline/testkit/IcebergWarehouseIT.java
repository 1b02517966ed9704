package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;

import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class IcebergWarehouseIT {

    private static final Schema SCHEMA = new Schema(
            Types.NestedField.required(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "name", Types.StringType.get()));

    private static PostgresCluster pg;

    @BeforeAll
    static void startPostgres() {
        pg = PostgresCluster.startNew();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void hadoopCatalogRoundTripsAnAppendedRecord() {
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            assertEquals("hadoop", warehouse.catalogProperties().get("type"));
            assertEquals(warehouse.warehouseDir().toString(), warehouse.catalogProperties().get("warehouse"));

            appendAndReadBack(warehouse);
            assertTrue(Files.exists(warehouse.warehouseDir().resolve("app").resolve("people")));
        }
    }

    @Test
    void jdbcCatalogKeepsItsTablesInPostgres() throws Exception {
        try (IcebergWarehouse warehouse = IcebergWarehouse.jdbc(pg)) {
            assertEquals("jdbc", warehouse.catalogProperties().get("type"));
            String uri = warehouse.catalogProperties().get("uri");
            assertTrue(uri.startsWith("jdbc:postgresql://127.0.0.1:" + pg.port() + "/iceberg_catalog_"), uri);

            appendAndReadBack(warehouse);

            String database = uri.substring(uri.lastIndexOf('/') + 1);
            try (Connection c = pg.connect(database); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT table_namespace, table_name FROM iceberg_tables")) {
                assertTrue(rs.next(), "no row in iceberg_tables");
                assertEquals("app", rs.getString(1));
                assertEquals("people", rs.getString(2));
            }
        }
    }

    @Test
    void closeDeletesTheWarehouseDirectory() {
        IcebergWarehouse warehouse = IcebergWarehouse.hadoop();
        appendAndReadBack(warehouse);
        warehouse.close();
        assertFalse(Files.exists(warehouse.warehouseDir()));
    }

    private static void appendAndReadBack(IcebergWarehouse warehouse) {
        if (warehouse.catalog() instanceof SupportsNamespaces namespaces
                && !namespaces.namespaceExists(Namespace.of("app"))) {
            namespaces.createNamespace(Namespace.of("app"));
        }
        Table table = warehouse.catalog().createTable(TableIdentifier.of("app", "people"), SCHEMA);
        warehouse.append(table, List.of(person(1L, "ada"), person(2L, "grace")));

        List<Record> rows = warehouse.readAll("app", "people");
        rows.sort(Comparator.comparing(r -> (Long) r.getField("id")));

        assertEquals(2, rows.size());
        assertEquals("ada", rows.get(0).getField("name"));
        assertEquals(2L, rows.get(1).getField("id"));
        assertEquals("grace", rows.get(1).getField("name"));
    }

    private static Record person(long id, String name) {
        GenericRecord r = GenericRecord.create(SCHEMA);
        r.setField("id", id);
        r.setField("name", name);
        return r;
    }
}
