package io.tideline.daemon.verify;

import io.tideline.api.TableId;
import io.tideline.config.TidelineConfig;
import io.tideline.config.TidelineConfigDef;
import io.tideline.daemon.validate.SourceConnection;
import io.tideline.sink.iceberg.IcebergSink;
import io.tideline.sink.kafka.KafkaSink;
import io.tideline.source.Publications;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code tideline verify}: waits until the slot (which only moves once every sink made an epoch durable) passes
 * PostgreSQL's current position, then compares every captured table in PostgreSQL with each sink's copy. Read-only.
 */
public final class Verification {

    private final TidelineConfig cfg;
    private final Duration timeout;
    private final int examples;
    private final PrintWriter out;

    public Verification(TidelineConfig cfg, Duration timeout, int examples, PrintWriter out) {
        this.cfg = cfg;
        this.timeout = timeout;
        this.examples = examples;
        this.out = out;
    }

    /** The wait a default run allows: two epochs and two heartbeats, plus a margin. */
    public static Duration defaultTimeout(TidelineConfig cfg) {
        return cfg.getDuration(TidelineConfigDef.RUNTIME_EPOCH_DURATION).multipliedBy(2)
                .plus(cfg.getDuration(TidelineConfigDef.SOURCE_HEARTBEAT_INTERVAL).multipliedBy(2))
                .plusSeconds(30);
    }

    /** @return true when every sink holds every table as PostgreSQL does */
    public boolean run() throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TableReport> reports = null;
        // A second round absorbs changes that were in flight during the first (a load still running); a difference
        // that survives a fresh catch-up is real.
        for (int round = 1; round <= 2; round++) {
            catchUp(deadline);
            reports = compare();
            if (reports.stream().allMatch(TableReport::equal) || System.nanoTime() > deadline) break;
            if (round == 1) out.println("verify: differences found; catching up once more to rule out changes in flight");
        }
        List<String> differing = new ArrayList<>();
        String lastTable = null;
        for (TableReport r : reports) {
            if (!r.table.equals(lastTable)) out.println(r.table);
            lastTable = r.table;
            out.printf("  %-58s %s%n", r.sink, r.summary());
            for (String e : r.examples) out.println("      " + e);
            if (!r.equal() && !differing.contains(r.id)) differing.add(r.id);
        }
        long tables = reports.stream().map(r -> r.table).distinct().count();
        out.println(differing.isEmpty() ? "RESULT: every sink holds all " + tables + " tables as PostgreSQL does"
                : "RESULT: " + differing.size() + " of " + tables + " tables differ: " + String.join(", ", differing));
        out.flush();
        return differing.isEmpty();
    }

    private void catchUp(long deadline) throws SQLException, InterruptedException {
        String slot = cfg.getString(TidelineConfigDef.SOURCE_SLOT_NAME);
        long started = System.nanoTime();
        try (Connection c = SourceConnection.open(cfg, "tideline-verify", 10)) {
            String target;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_current_wal_lsn()::text")) {
                rs.next();
                target = rs.getString(1);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT confirmed_flush_lsn >= ?::pg_lsn,"
                    + " confirmed_flush_lsn::text, active FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, target);
                ps.setString(2, slot);
                while (true) {
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new IllegalStateException("Cannot verify: the replication slot '" + slot + "' does not exist on "
                                    + SourceConnection.where(cfg) + ". Check " + TidelineConfigDef.SOURCE_SLOT_NAME
                                    + ", or start the daemon once.");
                        }
                        if (rs.getBoolean(1)) {
                            out.printf("verify: PostgreSQL at %s; slot '%s' confirmed %s after %.1f s, so every sink holds it%n",
                                    target, slot, rs.getString(2), (System.nanoTime() - started) / 1e9);
                            return;
                        }
                        if (System.nanoTime() > deadline) {
                            throw new CatchUpTimeout("the sinks did not reach PostgreSQL's position " + target + " within "
                                    + timeout.toSeconds() + " s: slot '" + slot + "' is confirmed at " + rs.getString(2)
                                    + (rs.getBoolean(3) ? "" : " and no daemon is reading it (is it running?)")
                                    + ". Raise --timeout (an epoch takes " + cfg.getDuration(TidelineConfigDef.RUNTIME_EPOCH_DURATION).toSeconds() + " s" + ").");
                        }
                    }
                    Thread.sleep(500);
                }
            }
        }
    }

    private List<TableReport> compare() throws Exception {
        List<TableReport> reports = new ArrayList<>();
        List<SourceTable> sources = new ArrayList<>();
        try (Connection c = SourceConnection.open(cfg, "tideline-verify", 10)) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            for (TableId id : capturedTables(c)) sources.add(SourceTable.read(c, id));
            c.rollback();
        }
        KafkaConsumer<byte[], byte[]> consumer = cfg.getBoolean(TidelineConfigDef.KAFKA_ENABLED) ? consumer() : null;
        Catalog catalog = cfg.getBoolean(TidelineConfigDef.ICEBERG_ENABLED) ? CatalogUtil.buildIcebergCatalog("tideline",
                cfg.withPrefix(TidelineConfigDef.ICEBERG_CATALOG_PREFIX), new org.apache.hadoop.conf.Configuration()) : null;
        try {
            for (SourceTable source : sources) {
                String name = source.id() + (source.hasKey() ? "" : " (no primary key: positions checked, values not)");
                if (!source.notCompared().isEmpty()) name += " (not compared: " + String.join(", ", source.notCompared()) + ")";
                if (consumer != null) reports.add(kafka(consumer, source, name));
                if (catalog != null) reports.add(iceberg(catalog, source, name));
            }
        } finally {
            if (consumer != null) consumer.close(Duration.ofSeconds(5));
            if (catalog instanceof AutoCloseable closeable) closeable.close();
        }
        return reports;
    }

    private TableReport kafka(KafkaConsumer<byte[], byte[]> consumer, SourceTable source, String name) {
        String topic = KafkaSink.topicName(cfg.getString(TidelineConfigDef.KAFKA_TOPIC_PREFIX), source.id());
        TableReport report = new TableReport(source.id().toString(), name, "kafka " + topic, examples);
        boolean schemas = cfg.getBoolean(TidelineConfigDef.KAFKA_SCHEMAS_ENABLE);
        KafkaTopic t = KafkaTopic.read(consumer, topic, source, schemas, examples, Duration.ofSeconds(60));
        if (!t.exists) {
            report.missing = source.rowCount();
            report.note = "DIFFERENT (no such topic, PostgreSQL has " + source.rowCount() + " rows)";
            return report;
        }
        report.problems(t.orderProblemCount, t.orderProblems);
        if (source.hasKey()) {
            report.compare(source, t.rows);
        } else {
            report.unit = "records checked for order";
            report.compared = t.records;
        }
        return report;
    }

    private TableReport iceberg(Catalog catalog, SourceTable source, String name) throws Exception {
        boolean upsert = source.hasKey()
                && "upsert".equals(cfg.getString(TidelineConfigDef.ICEBERG_WRITE_MODE).toLowerCase(Locale.ROOT));
        TableIdentifier id = TableIdentifier.of(Namespace.of(cfg.getString(TidelineConfigDef.ICEBERG_NAMESPACE).split("\\.")),
                IcebergSink.defaultTableName(source.id()));
        TableReport report = new TableReport(source.id().toString(), name, "iceberg " + id + (upsert ? " (upsert)" : " (append)"), examples);
        if (!catalog.tableExists(id)) {
            report.missing = source.rowCount();
            report.note = "DIFFERENT (no such table, PostgreSQL has " + source.rowCount() + " rows)";
            return report;
        }
        IcebergTableState t = IcebergTableState.read(catalog.loadTable(id), source, upsert, examples);
        report.problems(t.problemCount, t.problems);
        if (upsert) {
            report.compare(source, t.rows);
        } else {
            report.unit = "rows checked for positions held twice";
            report.compared = t.rowCount;
        }
        return report;
    }

    private List<TableId> capturedTables(Connection c) throws SQLException {
        Path stateDir = cfg.getPath(TidelineConfigDef.STATE_DIR).toAbsolutePath();
        String publication = Publications.nameFor(stateDir, cfg.getString(TidelineConfigDef.SOURCE_SLOT_NAME),
                cfg.getString(TidelineConfigDef.SOURCE_PUBLICATION_NAME));
        List<TableId> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables"
                + " WHERE pubname = ? ORDER BY 1, 2")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) tables.add(new TableId(rs.getString(1), rs.getString(2)));
            }
        }
        if (tables.isEmpty()) {
            throw new IllegalStateException("Cannot verify: publication '" + publication + "' on " + SourceConnection.where(cfg)
                    + " holds no table. Start the daemon once, or check " + TidelineConfigDef.SOURCE_PUBLICATION_NAME + ".");
        }
        return tables;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> props = new HashMap<>(cfg.withPrefix(TidelineConfigDef.KAFKA_PRODUCER_PREFIX));
        props.keySet().retainAll(ConsumerConfig.configNames());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", cfg.getList(TidelineConfigDef.KAFKA_BOOTSTRAP_SERVERS)));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The sinks did not catch up in time: verify cannot compare, exit 1. */
    public static final class CatchUpTimeout extends RuntimeException {
        CatchUpTimeout(String message) {
            super(message);
        }
    }
}
