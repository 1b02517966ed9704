package io.tideline.testkit;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/**
 * An Iceberg warehouse in a temp directory with a Hadoop catalog or a JDBC catalog (on PostgreSQL), named
 * "tideline". {@link #catalogProperties()} are exactly what a user would configure under
 * {@code tideline.sink.iceberg.catalog.*}, so a test can hand them to the sink and read back with {@link #readAll}.
 */
public final class IcebergWarehouse implements AutoCloseable {

    public static final String CATALOG_NAME = "tideline";
    static final String DIR_PREFIX = "tideline-iceberg-";

    private final Path warehouseDir;
    private final Map<String, String> properties;
    private Catalog catalog;

    private IcebergWarehouse(Path warehouseDir, Map<String, String> properties) {
        this.warehouseDir = warehouseDir;
        this.properties = Map.copyOf(properties);
    }

    /** A temp-dir warehouse with a Hadoop catalog: {@code type=hadoop}, {@code warehouse=<dir>}. */
    public static IcebergWarehouse hadoop() {
        Path dir = newWarehouseDir();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("type", "hadoop");
        props.put("warehouse", dir.toString());
        return new IcebergWarehouse(dir, props);
    }

    /**
     * A JDBC catalog whose tables live in a fresh database of the given cluster, data files in a temp dir:
     * {@code type=jdbc}, {@code uri}, {@code jdbc.user}, {@code jdbc.password}, {@code warehouse}.
     */
    public static IcebergWarehouse jdbc(PostgresCluster pg) {
        String database = pg.createDatabase("iceberg_catalog");
        Path dir = newWarehouseDir();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("type", "jdbc");
        props.put("uri", pg.jdbcUrl(database));
        props.put("jdbc.user", pg.user());
        props.put("jdbc.password", pg.password());
        props.put("warehouse", dir.toString());
        return new IcebergWarehouse(dir, props);
    }

    /** What a user would put under tideline.sink.iceberg.catalog.* (may contain jdbc.password: do not log it). */
    public Map<String, String> catalogProperties() {
        return properties;
    }

    /** The catalog, loaded once with CatalogUtil from {@link #catalogProperties()}. */
    public synchronized Catalog catalog() {
        if (catalog == null) {
            catalog = CatalogUtil.buildIcebergCatalog(CATALOG_NAME, properties, new Configuration());
        }
        return catalog;
    }

    /** Loads a table; a dotted namespace ("a.b") is a multi-level namespace. */
    public Table table(String namespace, String table) {
        return catalog().loadTable(TableIdentifier.of(Namespace.of(namespace.split("\\.")), table));
    }

    /** Every live row of the table's current snapshot, read with IcebergGenerics after a refresh. */
    public List<Record> readAll(String namespace, String table) {
        Table t = table(namespace, table);
        t.refresh();
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> records = IcebergGenerics.read(t).build()) {
            records.forEach(r -> rows.add(r.copy()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Iceberg table " + namespace + "." + table + ": "
                    + e.getMessage() + ". Check the warehouse at " + warehouseDir + ".", e);
        }
        return rows;
    }

    /** Appends the records as one Parquet data file in one commit (unpartitioned tables only); for test setup. */
    public void append(Table table, List<Record> records) {
        if (!table.spec().isUnpartitioned()) {
            throw new IllegalArgumentException("Cannot append to Iceberg table " + table.name() + ": it is "
                    + "partitioned and this helper writes one unpartitioned file. Write with the sink instead.");
        }
        AppendFiles append = table.newAppend();
        append.appendFile(writeDataFile(table, records));
        append.commit();
    }

    private DataFile writeDataFile(Table table, List<Record> records) {
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table)
                .dataFileFormat(FileFormat.PARQUET).dataSchema(table.schema()).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, 1, System.nanoTime())
                .format(FileFormat.PARQUET).operationId("testkit-" + UUID.randomUUID()).build();
        DataWriter<Record> writer = writers.newDataWriter(files.newOutputFile(), table.spec(), null);
        try (writer) {
            records.forEach(writer::write);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a data file for " + table.name() + ": " + e.getMessage()
                    + ". Check free space under " + warehouseDir + ".", e);
        }
        return writer.toDataFile();
    }

    /**
     * Rewrites an unpartitioned table behind its writer's back: one commit that removes every data file and adds one
     * holding exactly {@code records} (for tests that tamper with a sink's copy).
     */
    public void replaceAll(Table table, List<Record> records) {
        table.refresh();
        List<DataFile> old = new ArrayList<>();
        try (var tasks = table.newScan().planFiles()) {
            tasks.forEach(t -> old.add(t.file()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the data files of " + table.name() + ": " + e.getMessage(), e);
        }
        DataFile file = writeDataFile(table, records);
        org.apache.iceberg.OverwriteFiles overwrite = table.newOverwrite();
        old.forEach(overwrite::deleteFile);
        overwrite.addFile(file).commit();
    }

    public Path warehouseDir() {
        return warehouseDir;
    }

    /** Closes the catalog and deletes the warehouse directory (a JDBC catalog's database is left to its cluster). */
    @Override
    public synchronized void close() {
        if (catalog instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException ignored) {
                // the directory goes anyway
            }
        }
        catalog = null;
        Directories.deleteQuietly(warehouseDir);
    }

    private static Path newWarehouseDir() {
        try {
            return Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), DIR_PREFIX);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create an Iceberg warehouse directory: " + e.getMessage()
                    + ". Check free space and permissions of java.io.tmpdir.", e);
        }
    }

    @Override
    public String toString() {
        return "IcebergWarehouse[" + properties.get("type") + ", " + warehouseDir + "]";
    }
}
