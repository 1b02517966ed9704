package io.tideline.sink.iceberg;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;
import io.tideline.api.TableId;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The Iceberg sink: one format-v2 table per source table in one namespace, written batch by batch through the
 * micro-batch runtime ({@link Capability#BATCH_ONLY}). Each batch of a table becomes one snapshot whose summary
 * carries {@code tideline.position} and {@code tideline.epoch}; replays at or below that position are skipped.
 *
 * <pre>{@code
 * IcebergSink sink = IcebergSink.builder()
 *     .catalogProperties(Map.of("type", "hadoop", "warehouse", "/data/warehouse"))
 *     .namespace("tideline")
 *     .writeMode(WriteMode.UPSERT)
 *     .upkeep(Upkeep.every(Duration.ofMinutes(5)).snapshotRetention(Duration.ofHours(1)))
 *     .meterRegistry(registry)
 *     .build();
 * }</pre>
 */
public final class IcebergSink implements Sink {

    private static final Logger LOG = LoggerFactory.getLogger(IcebergSink.class);

    /** Prefix of the daemon's catalog keys; stripped when present. */
    public static final String CATALOG_PREFIX = "tideline.sink.iceberg.catalog.";
    /** The name every catalog built from properties gets. */
    public static final String CATALOG_NAME = "tideline";

    private final Catalog catalog;
    private final boolean ownsCatalog;
    private final Namespace namespace;
    private final WriteMode writeMode;
    private final io.tideline.api.SourceIdentity identity;
    private final boolean resetForNewSource;
    private final long targetFileSizeBytes;
    private final int maxCommitAttempts;
    private final Function<TableId, String> tableNaming;
    private final io.tideline.sink.NameClaims claims = new io.tideline.sink.NameClaims("Iceberg table");
    private final IcebergSinkMetrics metrics;
    private final Map<String, Lock> locks = new ConcurrentHashMap<>();
    private final Set<TableId> keyless = ConcurrentHashMap.newKeySet();
    private final Set<TableIdentifier> known = ConcurrentHashMap.newKeySet();
    private final TableUpkeep upkeep;

    private IcebergSink(Builder b) {
        if (b.catalog != null) {
            this.catalog = b.catalog;
            this.ownsCatalog = false;
        } else {
            this.catalog = CatalogUtil.buildIcebergCatalog(CATALOG_NAME, stripPrefix(b.catalogProperties),
                    new org.apache.hadoop.conf.Configuration());
            this.ownsCatalog = true;
        }
        this.namespace = Namespace.of(b.namespace.split("\\."));
        this.writeMode = b.writeMode;
        this.identity = b.identity;
        this.resetForNewSource = b.resetForNewSource;
        this.targetFileSizeBytes = b.targetFileSizeBytes;
        this.maxCommitAttempts = b.maxCommitAttempts;
        this.tableNaming = b.tableNaming;
        this.metrics = new IcebergSinkMetrics(b.meterRegistry);
        io.micrometer.core.instrument.Gauge.builder("tideline.iceberg.parked.tables", parked, Map::size)
                .description("Iceberg tables set aside by a change they cannot follow (the slot is held for them)")
                .register(b.meterRegistry != null ? b.meterRegistry : new SimpleMeterRegistry());
        ensureNamespace();
        this.upkeep = new TableUpkeep(this, b.upkeep);
        upkeep.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "iceberg";
    }

    @Override
    public Capability capability() {
        return Capability.BATCH_ONLY;
    }

    /** Every change of one table goes to one writer, so one writer commits each table. */
    @Override
    public int writerFor(ChangeEvent event, int writers) {
        return Math.floorMod(event.table().hashCode(), writers);
    }

    /** Upsert tables with a key may collapse to the last change per key; changelogs and keyless tables may not. */
    @Override
    public boolean keepLastPerKey(TableId table) {
        return writeMode == WriteMode.UPSERT && !keyless.contains(table);
    }

    @Override
    public SinkWriter openWriter(int index, int writers) {
        return new IcebergSinkWriter(this, index, writers);
    }

    @Override
    public void close() throws Exception {
        upkeep.close();
        if (ownsCatalog && catalog instanceof AutoCloseable c) c.close();
    }

    /** Runs one upkeep pass over every table this sink has written, now (tests and benchmarks). */
    public void runUpkeepNow() {
        upkeep.runOnce();
    }

    public Catalog catalog() {
        return catalog;
    }

    public Namespace namespace() {
        return namespace;
    }

    public IcebergSinkMetrics metrics() {
        return metrics;
    }

    /** A table set aside by a change it cannot follow: where its committed data ends, and why. */
    public record Parked(Position heldAt, String reason) {
    }

    private final Map<TableId, Parked> parked = new ConcurrentHashMap<>();

    /**
     * Sets a table aside for the rest of the run: its changes are skipped, the slot is held at the last change it
     * committed ({@link Position#ZERO} when none), the other tables go on. A restart replays it from there.
     */
    void park(TableId table, Position committed, String reason) {
        Parked p = new Parked(committed == null ? Position.ZERO : committed, reason);
        if (parked.putIfAbsent(table, p) == null) {
            LOG.error("Iceberg table for {} is parked; the other tables go on, the slot is held at {} (WAL accumulates)."
                    + " {} Restart after the fix: its changes replay from there.", table, p.heldAt(), reason);
        }
    }

    Parked parked(TableId table) {
        return parked.get(table);
    }

    /** Tables parked in this run, with why: for health and status. */
    public Map<TableId, Parked> parkedTables() {
        return Map.copyOf(parked);
    }

    /** The lowest held position among parked tables, or null. */
    Position holdAt() {
        Position low = null;
        for (Parked p : parked.values()) if (low == null || low.isAfter(p.heldAt())) low = p.heldAt();
        return low;
    }

    /** The Iceberg table a source table is written to. */
    public TableIdentifier tableFor(TableId source) {
        return TableIdentifier.of(namespace, claims.claim(tableNaming.apply(source), source));
    }

    /** Test seam: runs after a batch's files are written and before its commit (to stage a concurrent commit). */
    private volatile java.util.function.Consumer<String> beforeCommitHook = t -> { };

    void beforeCommitHook(java.util.function.Consumer<String> hook) {
        this.beforeCommitHook = hook;
    }

    /** The source identity text to record, or null when unknown. */
    String sourceText() {
        return identity == null ? null : identity.text();
    }

    /**
     * The fence of {@code table}, unless the table holds another PostgreSQL cluster's changes: positions of two clusters
     * cannot be compared, so that stops the table (or its fence starts over when allowed).
     */
    CommittedPosition sourceFence(String name, org.apache.iceberg.Table table, CommittedPosition fence) {
        String recorded = table.properties().get(SummaryKeys.SOURCE);
        if (recorded == null && table.currentSnapshot() != null) recorded = table.currentSnapshot().summary().get(SummaryKeys.SOURCE);
        if (identity == null || identity.sameClusterAs(recorded) || fence.position() == null) return fence;
        if (resetForNewSource) return CommittedPosition.NONE;
        throw new IllegalStateException("Cannot write to Iceberg table " + name + ": it holds changes of PostgreSQL"
                + " cluster " + recorded + " (" + SummaryKeys.SOURCE + "), but the source is cluster " + identity.text()
                + ". Positions of two clusters cannot be compared, and every change would be skipped as already held."
                + " Write the new cluster to new tables (tideline.sink.iceberg.namespace), or set"
                + " tideline.sink.fence.reset.for.new.source=true to start the fences over for it.");
    }

    void beforeCommit(String table) {
        beforeCommitHook.accept(table);
    }

    /** Test seam: runs after a compaction's files are written and before it takes the table lock to commit. */
    private volatile java.util.function.Consumer<String> beforeUpkeepCommitHook = t -> { };

    void beforeUpkeepCommitHook(java.util.function.Consumer<String> hook) {
        this.beforeUpkeepCommitHook = hook;
    }

    void beforeUpkeepCommit(String table) {
        beforeUpkeepCommitHook.accept(table);
    }

    WriteMode writeMode() {
        return writeMode;
    }

    long targetFileSizeBytes() {
        return targetFileSizeBytes;
    }

    int maxCommitAttempts() {
        return maxCommitAttempts;
    }

    Lock lockFor(String table) {
        return locks.computeIfAbsent(table, t -> new ReentrantLock());
    }

    Set<TableIdentifier> knownTables() {
        return known;
    }

    void markKeyless(TableId table) {
        keyless.add(table);
    }

    void recordFiles(String table, Snapshot snapshot) {
        if (snapshot == null || snapshot.summary() == null) return;
        metrics.files(table, "data", parse(snapshot.summary().get("total-data-files")));
        metrics.files(table, "delete", parse(snapshot.summary().get("total-delete-files")));
    }

    private static long parse(String v) {
        try {
            return v == null ? 0 : Long.parseLong(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Loads the table of {@code first}'s source table, creating it from {@code first}'s row schema when absent. */
    Table loadOrCreate(ChangeEvent first) {
        TableIdentifier id = tableFor(first.table());
        known.add(id);
        try {
            return catalog.loadTable(id);
        } catch (NoSuchTableException missing) {
            if (first.image() == null) {
                throw new IllegalStateException("Cannot create Iceberg table " + id + ": the first change of "
                        + first.table() + " (" + first.op() + ") carries no row. It is created on the next row change.");
            }
            List<String> keyColumns = new ArrayList<>();
            if (first.key() != null && writeMode == WriteMode.UPSERT) {
                for (Field f : first.key().schema().fields()) keyColumns.add(f.name());
            }
            Schema schema = TableSchemas.initial(first.image().schema(), keyColumns);
            Map<String, String> props = new HashMap<>();
            props.put(TableProperties.FORMAT_VERSION, "2");
            props.put(TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, Long.toString(targetFileSizeBytes));
            props.put(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
            props.put(TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100");
            props.put(SummaryKeys.SOURCE_TABLE, first.table().toString());
            try {
                Table t = catalog.createTable(id, schema, PartitionSpec.unpartitioned(), props);
                LOG.info("Created Iceberg table {} for {} with schema {}", id, first.table(), t.schema());
                return t;
            } catch (AlreadyExistsException raced) {
                return catalog.loadTable(id);
            }
        }
    }

    /** Tables in the namespace that replicate a source table, with that source table. */
    Map<TableId, TableIdentifier> existingTables() {
        Map<TableId, TableIdentifier> out = new HashMap<>();
        for (TableIdentifier id : catalog.listTables(namespace)) {
            try {
                String source = catalog.loadTable(id).properties().get(SummaryKeys.SOURCE_TABLE);
                if (source != null) out.put(TableId.parse(source), id);
            } catch (NoSuchTableException gone) {
                // dropped meanwhile: nothing to fence
            }
        }
        return out;
    }

    private void ensureNamespace() {
        if (catalog instanceof SupportsNamespaces ns && !ns.namespaceExists(namespace)) {
            try {
                ns.createNamespace(namespace);
            } catch (org.apache.iceberg.exceptions.AlreadyExistsException raced) {
                // another writer created it
            }
        }
    }

    private static Map<String, String> stripPrefix(Map<String, String> props) {
        Map<String, String> out = new HashMap<>();
        props.forEach((k, v) -> out.put(k.startsWith(CATALOG_PREFIX) ? k.substring(CATALOG_PREFIX.length()) : k, v));
        if (!out.containsKey("type") && !out.containsKey("catalog-impl")) {
            throw new IllegalArgumentException("Cannot build Iceberg catalog: " + CATALOG_PREFIX + "type is not set. "
                    + "Set it to hadoop, jdbc or rest.");
        }
        return out;
    }

    /** {@code public.orders} → {@code orders}; {@code sales.orders} → {@code sales_orders}; case kept. */
    public static String defaultTableName(TableId source) {
        return "public".equals(source.schema()) ? source.table() : source.schema() + "_" + source.table();
    }

    /** Fluent builder; only the catalog is required. */
    public static final class Builder {
        private Map<String, String> catalogProperties = Map.of();
        private Catalog catalog;
        private String namespace = "tideline";
        private WriteMode writeMode = WriteMode.UPSERT;
        private io.tideline.api.SourceIdentity identity;
        private boolean resetForNewSource;

        /** The source's identity: recorded with every commit, compared with what a table already holds. */
        public Builder sourceIdentity(io.tideline.api.SourceIdentity identity) {
            this.identity = identity;
            return this;
        }

        /** Whether a table holding another cluster's changes starts its fence over (default false: stop). */
        public Builder resetFencesForNewSource(boolean reset) {
            this.resetForNewSource = reset;
            return this;
        }
        private long targetFileSizeBytes = 128L * 1024 * 1024;
        private Upkeep upkeep = Upkeep.every(java.time.Duration.ofMinutes(5));
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();
        private Function<TableId, String> tableNaming = IcebergSink::defaultTableName;
        private int maxCommitAttempts = 5;

        /** Catalog properties ({@code type=hadoop|jdbc|rest}, {@code warehouse}, {@code uri}, ...), with or without the {@code tideline.sink.iceberg.catalog.} prefix. */
        public Builder catalogProperties(Map<String, String> props) {
            this.catalogProperties = Map.copyOf(Objects.requireNonNull(props));
            return this;
        }

        /** A ready catalog instead of properties (the sink will not close it). */
        public Builder catalog(Catalog catalog) {
            this.catalog = catalog;
            return this;
        }

        public Builder namespace(String namespace) {
            if (namespace == null || namespace.isBlank()) {
                throw new IllegalArgumentException("Cannot use Iceberg namespace '" + namespace
                        + "': it is empty. Set tideline.sink.iceberg.namespace.");
            }
            this.namespace = namespace;
            return this;
        }

        public Builder writeMode(WriteMode mode) {
            this.writeMode = Objects.requireNonNull(mode);
            return this;
        }

        public Builder targetFileSizeBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("Cannot use target file size " + bytes
                        + ": it must be positive. Set tideline.sink.iceberg.target.file.size.bytes.");
            }
            this.targetFileSizeBytes = bytes;
            return this;
        }

        public Builder upkeep(Upkeep upkeep) {
            this.upkeep = Objects.requireNonNull(upkeep);
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry);
            return this;
        }

        /** How a source table is named in the namespace (default {@link IcebergSink#defaultTableName}). */
        public Builder tableNaming(Function<TableId, String> naming) {
            this.tableNaming = Objects.requireNonNull(naming);
            return this;
        }

        /** Commit attempts per table batch when other writers conflict (default 5). */
        public Builder maxCommitAttempts(int attempts) {
            this.maxCommitAttempts = Math.max(1, attempts);
            return this;
        }

        public IcebergSink build() {
            if (catalog == null && catalogProperties.isEmpty()) {
                throw new IllegalArgumentException("Cannot build Iceberg sink: no catalog configured. Set "
                        + CATALOG_PREFIX + "type and its properties.");
            }
            return new IcebergSink(this);
        }
    }
}
