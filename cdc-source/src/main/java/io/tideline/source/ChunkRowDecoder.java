package io.tideline.source;

import io.debezium.config.CommonConnectorConfig;
import io.debezium.config.Configuration;
import io.debezium.connector.postgresql.Module;
import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.connector.postgresql.PostgresStreamingChangeEventSource.PgConnectionSupplier;
import io.debezium.connector.postgresql.PostgresType;
import io.debezium.connector.postgresql.PostgresValueConverter;
import io.debezium.connector.postgresql.TypeRegistry;
import io.debezium.connector.postgresql.connection.PostgresConnection;
import io.debezium.connector.postgresql.connection.pgoutput.PgOutputReplicationMessage;
import io.debezium.relational.Column;
import io.debezium.relational.CustomConverterRegistry;
import io.debezium.relational.Table;
import io.debezium.relational.TableSchema;
import io.debezium.relational.TableSchemaBuilder;
import io.debezium.relational.Tables;
import io.debezium.relational.mapping.ColumnMappers;
import io.tideline.api.TableId;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/**
 * Turns a chunk row, read as PostgreSQL's text output, into the change Debezium itself would have built for it:
 * the value parsing of the streaming path (pgoutput sends the same text), the table schema built with the
 * engine's own configuration (column mappers, type propagation, decimal and time modes). A snapshot row and a
 * streamed change of one table therefore carry identical schemas and values.
 */
final class ChunkRowDecoder implements AutoCloseable {

    /** {@code source.snapshot} of chunk rows: Debezium's value for incremental (chunked) snapshots. */
    static final String SNAPSHOT_MARK = "incremental";

    private final PostgresConnectorConfig config;
    private final PostgresConnection connection;
    private final TableSchemaBuilder schemas;
    private final ColumnMappers mappers;
    private final Schema sourceSchema;
    private final boolean includeUnknownDatatypes;
    private final String serverName;

    ChunkRowDecoder(Properties engineProperties) {
        Configuration c = Configuration.from(engineProperties);
        this.config = new PostgresConnectorConfig(c);
        this.serverName = c.getString("topic.prefix");
        this.includeUnknownDatatypes = c.getBoolean("include.unknown.datatypes", false);
        java.nio.charset.Charset charset;
        try (PostgresConnection probe = new PostgresConnection(config.getJdbcConfig(), PostgresConnection.CONNECTION_GENERAL)) {
            charset = probe.getDatabaseCharset();
        }
        TypeRegistry shared = PostgresConnection.createTypeRegistry(config.getJdbcConfig());
        this.connection = new PostgresConnection(config.getJdbcConfig(), shared,
                registry -> PostgresValueConverter.of(config, charset, registry), PostgresConnection.CONNECTION_GENERAL);
        TypeRegistry types = connection.getTypeRegistry();
        PostgresValueConverter values = PostgresValueConverter.of(config, charset, types);
        this.sourceSchema = config.getSourceInfoStructMaker().schema();
        this.schemas = new TableSchemaBuilder(values, connection.getDefaultValueConverter(), config.schemaNameAdjuster(),
                new CustomConverterRegistry(List.of()), sourceSchema, config.getFieldNamer(), false,
                config.getEventConvertingFailureHandlingMode());
        this.mappers = ColumnMappers.create(config);
    }

    /** The decoder of one table as it is now; null when the table does not exist. */
    synchronized TableDecoder forTable(TableId table) throws SQLException {
        io.debezium.relational.TableId id = new io.debezium.relational.TableId(null, table.schema(), table.table());
        Tables tables = new Tables();
        connection.readSchema(tables, null, table.schema(), id::equals, null, true);
        Table t = tables.forTable(id);
        if (t == null) return null;
        // pgoutput never sends generated columns, so the streaming path drops them from the schema too.
        t = t.edit().setColumns(t.filterColumns(col -> !col.isGenerated())).create();
        TableSchema schema = schemas.create(config.getTopicNamingStrategy(CommonConnectorConfig.TOPIC_NAMING_STRATEGY),
                t, config.getColumnFilter(), mappers, config.getKeyMapper());
        List<Column> columns = t.columns();
        PostgresType[] types = new PostgresType[columns.size()];
        TypeRegistry registry = connection.getTypeRegistry();
        for (int i = 0; i < types.length; i++) {
            types[i] = registry.get(table.schema(), columns.get(i).typeName());
        }
        return new TableDecoder(table, columns, types, schema, registry);
    }

    @Override
    public void close() {
        connection.close();
    }

    /** One table's decoding; thread-safe. */
    final class TableDecoder {
        final TableId table;
        final List<Column> columns;
        private final List<String> columnNames;
        private final PostgresType[] types;
        private final TableSchema schema;
        private final TypeRegistry registry;

        private TableDecoder(TableId table, List<Column> columns, PostgresType[] types, TableSchema schema, TypeRegistry registry) {
            this.table = table;
            this.columns = columns;
            this.columnNames = columns.stream().map(Column::name).toList();
            this.types = types;
            this.schema = schema;
            this.registry = registry;
        }

        /** Column names in the order {@link #decode} expects their text. */
        List<String> columnNames() {
            return columnNames;
        }

        /** The row's key and value structs from the columns' text (null for SQL NULL). */
        Struct[] decode(String[] text, PgConnectionSupplier connection) {
            Object[] values = new Object[text.length];
            for (int i = 0; i < text.length; i++) {
                if (text[i] != null) {
                    Column c = columns.get(i);
                    values[i] = PgOutputReplicationMessage.getValue(c.name(), types[i], c.typeExpression(), text[i],
                            connection, includeUnknownDatatypes, registry);
                }
            }
            return new Struct[] {schema.keyFromColumnData(values), schema.valueFromColumnData(values)};
        }

        /** Debezium's source block for a row read at {@code lsn}. */
        Struct source(long lsn, long tsMs) {
            Struct s = new Struct(sourceSchema);
            put(s, "version", Module.version());
            put(s, "connector", "postgresql");
            put(s, "name", serverName);
            put(s, "ts_ms", tsMs);
            put(s, "ts_us", tsMs * 1000);
            put(s, "ts_ns", tsMs * 1_000_000);
            put(s, "snapshot", SNAPSHOT_MARK);
            put(s, "db", config.databaseName());
            put(s, "schema", table.schema());
            put(s, "table", table.table());
            put(s, "lsn", lsn);
            return s;
        }

        private void put(Struct s, String field, Object value) {
            Field f = sourceSchema.field(field);
            if (f != null) s.put(f, value);
        }
    }
}
