package io.tideline.source;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a {@link DebeziumChangeSource} connects, captures and snapshots: fluent, each default on its setter. */
public final class DebeziumSourceBuilder {
    String hostname;
    int port = 5432;
    String user;
    String password;
    String database;
    String slotName = "tideline";
    String publicationName;
    List<String> tableIncludeList = List.of();
    String snapshotMode = "initial";
    Path stateDir;
    Map<String, String> debeziumProperties = Map.of();
    String name = "tideline";
    int maxBufferedChanges = 100_000;
    long maxBufferedBytes = Long.MAX_VALUE, debeziumQueueBytes = 0;   // 0: Debezium's default, counts only
    int snapshotThreads = Runtime.getRuntime().availableProcessors();
    int snapshotChunkRows = 8192;
    boolean captureTruncate = true;
    java.time.Duration heartbeatInterval = java.time.Duration.ofSeconds(10);
    long walRetainedWarnBytes = 1L << 30;
    io.tideline.api.SourceIdentity identity = new io.tideline.api.SourceIdentity();

    DebeziumSourceBuilder() {
    }

    public DebeziumSourceBuilder hostname(String hostname) { this.hostname = hostname; return this; }

    public DebeziumSourceBuilder port(int port) { this.port = port; return this; }

    public DebeziumSourceBuilder user(String user) { this.user = user; return this; }

    public DebeziumSourceBuilder password(String password) { this.password = password; return this; }

    public DebeziumSourceBuilder database(String database) { this.database = database; return this; }

    /** Replication slot; default {@code tideline}. One source per slot: a second one fails to start. */
    public DebeziumSourceBuilder slotName(String slotName) { this.slotName = slotName; return this; }

    /** Publication, created for the included tables when missing; default: the slot name (see {@link Publications}). */
    public DebeziumSourceBuilder publicationName(String publicationName) { this.publicationName = publicationName; return this; }

    /** {@code schema.table} names, exactly as PostgreSQL spells them; empty = every table. */
    public DebeziumSourceBuilder tableIncludeList(List<String> tables) { this.tableIncludeList = List.copyOf(tables); return this; }

    /** {@code initial} (default: snapshot existing rows first) or {@code no_data}. */
    public DebeziumSourceBuilder snapshotMode(String mode) { this.snapshotMode = mode; return this; }

    /** Directory for {@value DebeziumChangeSource#OFFSET_FILE} and {@value DebeziumChangeSource#ACK_FILE}. */
    public DebeziumSourceBuilder stateDir(Path stateDir) { this.stateDir = stateDir; return this; }

    /** Debezium properties applied last, over Tideline's defaults. */
    public DebeziumSourceBuilder debeziumProperties(Map<String, String> props) { this.debeziumProperties = new LinkedHashMap<>(props); return this; }

    /** Engine name and Debezium {@code topic.prefix}; default {@code tideline}. */
    public DebeziumSourceBuilder name(String name) { this.name = name; return this; }

    /**
     * Most changes of one transaction held in memory while waiting for its commit LSN (default 100,000);
     * the rest of a larger transaction is spilled to disk under the state dir.
     */
    public DebeziumSourceBuilder maxBufferedChanges(int max) { this.maxBufferedChanges = max; return this; }

    /** The source's share of memory: half for a transaction awaiting its commit, a quarter for Debezium's queue. */
    public DebeziumSourceBuilder memoryBytes(long bytes) { this.maxBufferedBytes = bytes / 2; this.debeziumQueueBytes = bytes / 4; return this; }

    /** Whether TRUNCATE is captured (default true) or skipped, as before Tideline captured it. */
    public DebeziumSourceBuilder captureTruncate(boolean capture) { this.captureTruncate = capture; return this; }

    /** Connections reading snapshot chunks at once (default: the core count). */
    public DebeziumSourceBuilder snapshotThreads(int threads) { this.snapshotThreads = threads; return this; }

    /** How often an idle capture writes a heartbeat so its slot can release WAL (default 10 s; zero: never). */
    public DebeziumSourceBuilder heartbeatInterval(java.time.Duration interval) { this.heartbeatInterval = interval; return this; }

    /** Where the source publishes which cluster it reads, once connected (sinks record it next to positions). */
    public DebeziumSourceBuilder identity(io.tideline.api.SourceIdentity identity) { this.identity = identity; return this; }

    /** Retained WAL of the slot above which a warning is logged (default 1 GiB; zero: never). */
    public DebeziumSourceBuilder walRetainedWarnBytes(long bytes) { this.walRetainedWarnBytes = bytes; return this; }

    /** Rows per snapshot chunk (default 8192): the unit of progress, of memory per reader and of a restart. */
    public DebeziumSourceBuilder snapshotChunkRows(int rows) { this.snapshotChunkRows = rows; return this; }

    public DebeziumChangeSource build() {
        require(hostname, "hostname");
        require(user, "user");
        require(database, "database");
        require(slotName, "slotName");
        if (stateDir != null) publicationName = Publications.nameFor(stateDir, slotName, publicationName);
        if (stateDir != null) require(publicationName, "publicationName");
        require(name, "name");
        if (stateDir == null) {
            throw new IllegalArgumentException("Cannot build source: stateDir is not set. Set it to the"
                    + " directory where Tideline keeps its state.");
        }
        if (!snapshotMode.equals("initial") && !snapshotMode.equals("no_data")) {
            throw new IllegalArgumentException("Cannot build source: snapshotMode '" + snapshotMode
                    + "' is not supported. Use initial or no_data.");
        }
        if (maxBufferedChanges < 1) {
            throw new IllegalArgumentException("Cannot build source: maxBufferedChanges is " + maxBufferedChanges
                    + ". Use a positive number.");
        }
        if (snapshotThreads < 1 || snapshotChunkRows < 1) {
            throw new IllegalArgumentException("Cannot build source: snapshotThreads " + snapshotThreads
                    + " and snapshotChunkRows " + snapshotChunkRows + " must be positive.");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("Cannot build source: port " + port + " is out of range. Use 1-65535.");
        }
        return new DebeziumChangeSource(this);
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Cannot build source: " + what + " is not set. Set it on the builder.");
        }
    }
}
