package io.tideline.config;

import java.util.List;
import java.util.regex.Pattern;

/** Every Tideline property: name, type, default, documentation and validation. The single source of truth. */
public final class TidelineConfigDef {
    public static final String SOURCE_HOSTNAME = "tideline.source.database.hostname";
    public static final String SOURCE_PORT = "tideline.source.database.port";
    public static final String SOURCE_USER = "tideline.source.database.user";
    public static final String SOURCE_PASSWORD = "tideline.source.database.password";
    public static final String SOURCE_DBNAME = "tideline.source.database.dbname";
    public static final String SOURCE_SLOT_NAME = "tideline.source.slot.name";
    public static final String SOURCE_PUBLICATION_NAME = "tideline.source.publication.name";
    public static final String SOURCE_TABLE_INCLUDE_LIST = "tideline.source.table.include.list";
    public static final String SOURCE_SNAPSHOT_MODE = "tideline.source.snapshot.mode";
    public static final String RUNTIME_RESTART_BACKOFF_INITIAL = "tideline.runtime.restart.backoff.initial";
    public static final String RUNTIME_RESTART_BACKOFF_MAX = "tideline.runtime.restart.backoff.max";
    public static final String RUNTIME_RESTART_MAX_FAILURES = "tideline.runtime.restart.max.failures";
    public static final String SINK_FENCE_RESET_FOR_NEW_SOURCE = "tideline.sink.fence.reset.for.new.source";
    public static final String SOURCE_TRUNCATE = "tideline.source.truncate";
    public static final String SOURCE_TRANSACTION_BUFFER = "tideline.source.transaction.buffer.changes";
    public static final String SOURCE_HEARTBEAT_INTERVAL = "tideline.source.heartbeat.interval";
    public static final String SOURCE_WAL_RETAINED_WARN = "tideline.source.wal.retained.warn";
    public static final String SOURCE_SNAPSHOT_THREADS = "tideline.source.snapshot.threads";
    public static final String SOURCE_SNAPSHOT_CHUNK_ROWS = "tideline.source.snapshot.chunk.rows";
    public static final String SOURCE_DEBEZIUM_PREFIX = "tideline.source.debezium.";

    public static final String RUNTIME_EPOCH_DURATION = "tideline.runtime.epoch.duration";
    public static final String RUNTIME_PARALLELISM = "tideline.runtime.parallelism";
    public static final String RUNTIME_QUEUE_CAPACITY = "tideline.runtime.queue.capacity";
    public static final String RUNTIME_MEMORY_MAX = "tideline.runtime.memory.max";
    public static final String RUNTIME_SHUTDOWN_TIMEOUT = "tideline.runtime.shutdown.timeout";
    public static final String STATE_DIR = "tideline.state.dir";

    public static final String KAFKA_ENABLED = "tideline.sink.kafka.enabled";
    public static final String KAFKA_BOOTSTRAP_SERVERS = "tideline.sink.kafka.bootstrap.servers";
    public static final String KAFKA_TOPIC_PREFIX = "tideline.sink.kafka.topic.prefix";
    public static final String KAFKA_TOPIC_PARTITIONS = "tideline.sink.kafka.topic.partitions";
    public static final String KAFKA_SCHEMAS_ENABLE = "tideline.sink.kafka.schemas.enable";
    public static final String KAFKA_TOMBSTONES_ENABLE = "tideline.sink.kafka.tombstones.enable";
    public static final String KAFKA_PRODUCER_PREFIX = "tideline.sink.kafka.producer.";

    public static final String ICEBERG_ENABLED = "tideline.sink.iceberg.enabled";
    public static final String ICEBERG_NAMESPACE = "tideline.sink.iceberg.namespace";
    public static final String ICEBERG_TRIGGER_INTERVAL = "tideline.sink.iceberg.trigger.interval";
    public static final String ICEBERG_WRITE_MODE = "tideline.sink.iceberg.write.mode";
    public static final String ICEBERG_BATCH_MAX_ROWS = "tideline.sink.iceberg.batch.max.rows";
    public static final String ICEBERG_TARGET_FILE_SIZE = "tideline.sink.iceberg.target.file.size";
    public static final String ICEBERG_UPKEEP_ENABLED = "tideline.sink.iceberg.upkeep.enabled";
    public static final String ICEBERG_UPKEEP_INTERVAL = "tideline.sink.iceberg.upkeep.interval";
    public static final String ICEBERG_UPKEEP_SNAPSHOT_RETENTION = "tideline.sink.iceberg.upkeep.snapshot.retention";
    public static final String ICEBERG_CATALOG_PREFIX = "tideline.sink.iceberg.catalog.";

    public static final String HTTP_HOST = "tideline.http.host";
    public static final String HTTP_PORT = "tideline.http.port";
    public static final String METRICS_LOG_INTERVAL = "tideline.metrics.log.interval";
    public static final String LOG_FORMAT = "tideline.log.format";
    public static final String LOG_LEVEL = "tideline.log.level";
    public static final String LOG_LEVEL_PREFIX = "tideline.log.level.";

    public static final String TRANSFORMS_PREFIX = "tideline.transforms.";
    public static final String TRANSFORMS_MASK_SALT = "tideline.transforms.mask.salt";
    public static final List<String> TRANSFORM_SUFFIXES =
            List.of("columns.include", "columns.exclude", "columns.mask", "filter", "route");

    private static final ConfigDef DEF = build();

    private TidelineConfigDef() {
    }

    public static ConfigDef get() {
        return DEF;
    }

    private static ConfigDef build() {
        ConfigDef def = new ConfigDef("tideline.");
        source(def);
        runtime(def);
        kafka(def);
        iceberg(def);
        operations(def);
        transforms(def);
        def.rule(TidelineConfigDef::atLeastOneSink);
        def.rule(TidelineConfigDef::kafkaNeedsBootstrapServers);
        def.rule(TidelineConfigDef::kafkaFenceSettingsStay);
        def.rule(TidelineConfigDef::backoffInitialAtMostMax);
        def.rule(TidelineConfigDef::icebergNeedsCatalogType);
        return def;
    }

    private static void source(ConfigDef def) {
        String g = "Source (PostgreSQL)";
        def.define(ConfigKey.builder(SOURCE_HOSTNAME, ConfigType.STRING).required().group(g)
                .validator(Validators.nonEmptyString())
                .doc("Host name or IP address of the PostgreSQL server to replicate from.").build());
        def.define(ConfigKey.builder(SOURCE_PORT, ConfigType.PORT).defaultValue("5432").group(g)
                .validator(Validators.port(false)).doc("Port of the PostgreSQL server.").build());
        def.define(ConfigKey.builder(SOURCE_USER, ConfigType.STRING).required().group(g)
                .validator(Validators.nonEmptyString())
                .doc("The PostgreSQL user Tideline connects as. It needs the REPLICATION attribute (or superuser) "
                        + "and SELECT on the captured tables.").build());
        def.define(ConfigKey.builder(SOURCE_PASSWORD, ConfigType.PASSWORD).defaultValue("").group(g)
                .doc("Password of the PostgreSQL user; empty for trust authentication. Prefer ${ENV_VAR}.").build());
        def.define(ConfigKey.builder(SOURCE_DBNAME, ConfigType.STRING).required().group(g)
                .validator(Validators.nonEmptyString()).doc("The database to replicate.").build());
        def.define(ConfigKey.builder(SOURCE_SLOT_NAME, ConfigType.STRING).defaultValue("tideline").group(g)
                .validator(Validators.nonEmptyString())
                .doc("Name of the logical replication slot; created if missing.").build());
        def.define(ConfigKey.builder(SOURCE_PUBLICATION_NAME, ConfigType.STRING).optional("the slot name").group(g)
                .doc("Name of the pgoutput publication; created for the included tables if missing. A deployment owns"
                        + " its publication and refuses one it does not own whose tables differ from its own (state dirs"
                        + " older than this rule keep 'tideline').").build());
        def.define(ConfigKey.builder(SOURCE_TABLE_INCLUDE_LIST, ConfigType.LIST).defaultValue("").group(g)
                .validator(Validators.eachMatches("[^.\\s]+\\.[^.\\s]+", "schema.table"))
                .doc("Comma-separated schema.table names to capture. Empty captures every table.").build());
        def.define(ConfigKey.builder(SOURCE_SNAPSHOT_MODE, ConfigType.ENUM).defaultValue("initial").group(g)
                .allowedValues("initial", "no_data")
                .doc("initial: snapshot the existing rows of every captured table (and of tables added to the include"
                        + " list later), in chunks beside the stream; no_data: stream changes only.")
                .build());
        def.define(ConfigKey.builder(SOURCE_SNAPSHOT_THREADS, ConfigType.INT)
                .defaultValue(() -> Integer.toString(Runtime.getRuntime().availableProcessors()), "number of cores")
                .group(g).validator(Validators.atLeast(1))
                .doc("Connections reading snapshot chunks at once. At most twice as many chunks are held in memory.")
                .build());
        def.define(ConfigKey.builder(SOURCE_SNAPSHOT_CHUNK_ROWS, ConfigType.INT).defaultValue("8192").group(g)
                .validator(Validators.atLeast(1))
                .doc("Rows per snapshot chunk: the unit a restart resumes at and of memory per reader.").build());
        def.define(ConfigKey.builder(SOURCE_TRANSACTION_BUFFER, ConfigType.INT).defaultValue("100000").group(g)
                .validator(Validators.atLeast(1))
                .doc("Most changes of one transaction held in memory while it waits for its commit; the rest of a larger"
                        + " transaction spills to the state dir.").build());
        def.define(ConfigKey.builder(SOURCE_TRUNCATE, ConfigType.ENUM).defaultValue("capture").group(g)
                .allowedValues("capture", "skip")
                .doc("capture: a TRUNCATE reaches Kafka as Debezium's truncate event (op t) on every partition of the"
                        + " table's topic, empties an Iceberg upsert table and is a row with op t in an append table;"
                        + " skip: ignored, as Debezium does by default.").build());
        def.define(ConfigKey.builder(SOURCE_HEARTBEAT_INTERVAL, ConfigType.DURATION).defaultValue("10s").group(g)
                .doc("How often a heartbeat is written to the WAL, so that an epoch can acknowledge it while the captured"
                        + " tables are idle and the slot releases what other tables wrote. 0 turns it off.").build());
        def.define(ConfigKey.builder(SOURCE_WAL_RETAINED_WARN, ConfigType.SIZE).defaultValue("1GB").group(g)
                .doc("Retained WAL of the slot above which a warning is logged (also the metric"
                        + " tideline_source_slot_retained_wal_bytes). 0 turns the warning off.").build());
        def.passThrough(SOURCE_DEBEZIUM_PREFIX, "Debezium PostgreSQL connector",
                "Passed to Debezium without the prefix, e.g. tideline.source.debezium.poll.interval.ms=1.");
    }

    private static void runtime(ConfigDef def) {
        String g = "Runtime";
        def.define(ConfigKey.builder(RUNTIME_EPOCH_DURATION, ConfigType.DURATION).defaultValue("5m").group(g)
                .validator(Validators.positiveDuration())
                .doc("Length of an epoch: the unit of exactly-once commit across sinks.").build());
        def.define(ConfigKey.builder(RUNTIME_PARALLELISM, ConfigType.INT)
                .defaultValue(() -> Integer.toString(Runtime.getRuntime().availableProcessors()), "number of cores")
                .group(g).validator(Validators.atLeast(1)).doc("Number of worker threads in the runtimes.").build());
        def.define(ConfigKey.builder(RUNTIME_QUEUE_CAPACITY, ConfigType.INT).defaultValue("4096").group(g)
                .validator(Validators.atLeast(1))
                .doc("Capacity, in change events, of each bounded in-memory queue between stages.").build());
        def.define(ConfigKey.builder(RUNTIME_MEMORY_MAX, ConfigType.SIZE)
                .defaultValue(() -> Math.max(16, Runtime.getRuntime().maxMemory() / 4 / (1 << 20)) + "MB", "a quarter of the heap (-Xmx)")
                .group(g).validator(Validators.positiveSize())
                .doc("Bytes of changes held in memory at once, on top of the count bounds (queue capacity, transaction buffer, batch rows): a quarter for the queues between"
                        + " stages, a quarter for Iceberg micro-batches (one commits early when full), a quarter for the"
                        + " part of a transaction awaiting its commit (the rest spills to the state dir), an eighth for"
                        + " Debezium's queue. Wide rows (1 MB TOAST values) then cannot exhaust the heap.").build());
        def.define(ConfigKey.builder(RUNTIME_SHUTDOWN_TIMEOUT, ConfigType.DURATION).defaultValue("30s").group(g)
                .validator(Validators.positiveDuration())
                .doc("How long a graceful shutdown waits for the pipeline to stop before giving up.").build());
        def.define(ConfigKey.builder(SINK_FENCE_RESET_FOR_NEW_SOURCE, ConfigType.BOOLEAN).defaultValue("false").group(g)
                .doc("When a topic partition or Iceberg table holds changes of another PostgreSQL cluster than the source"
                        + " (its system_identifier, recorded with every change), false stops with an error naming both;"
                        + " true starts that sink's fence over for the new cluster (after a migration to new topics/tables"
                        + " is not wanted). Positions of two clusters are never compared.").build());
        def.define(ConfigKey.builder(RUNTIME_RESTART_BACKOFF_INITIAL, ConfigType.DURATION).defaultValue("1s").group(g)
                .validator(Validators.positiveDuration())
                .doc("Wait before restarting after a failed attempt; doubles per attempt up to the maximum.").build());
        def.define(ConfigKey.builder(RUNTIME_RESTART_BACKOFF_MAX, ConfigType.DURATION).defaultValue("30s").group(g)
                .validator(Validators.positiveDuration())
                .doc("Longest wait between restarts. Outages (connection refused or reset, timeouts, a leader moving) are"
                        + " retried for as long as they last.").build());
        def.define(ConfigKey.builder(RUNTIME_RESTART_MAX_FAILURES, ConfigType.INT).defaultValue("5").group(g)
                .validator(Validators.atLeast(1))
                .doc("Consecutive failures of an unrecognised kind before the daemon exits (exit code 1). Errors that"
                        + " retrying cannot fix (authentication, a missing table or slot) stop it at once.").build());
        def.define(ConfigKey.builder(STATE_DIR, ConfigType.PATH).defaultValue("./tideline-state").group(g)
                .doc("Directory of the epoch ledger and source offsets. Keep it across restarts.").build());
    }

    private static void kafka(ConfigDef def) {
        String g = "Kafka sink";
        def.define(ConfigKey.builder(KAFKA_ENABLED, ConfigType.BOOLEAN).defaultValue("false").group(g)
                .doc("Whether to write changes to Kafka.").build());
        def.define(ConfigKey.builder(KAFKA_BOOTSTRAP_SERVERS, ConfigType.LIST).optional("(required when enabled)")
                .group(g).doc("Comma-separated host:port list of Kafka brokers.").build());
        def.define(ConfigKey.builder(KAFKA_TOPIC_PREFIX, ConfigType.STRING).defaultValue("tideline").group(g)
                .validator(Validators.nonEmptyString())
                .doc("Topic name prefix; the topic of a table is <prefix>.<schema>.<table>.").build());
        def.define(ConfigKey.builder(KAFKA_TOPIC_PARTITIONS, ConfigType.INT).defaultValue("1").group(g)
                .validator(Validators.atLeast(1)).doc("Partitions of each topic Tideline creates.").build());
        def.define(ConfigKey.builder(KAFKA_SCHEMAS_ENABLE, ConfigType.BOOLEAN).defaultValue("true").group(g)
                .doc("Whether JSON messages embed their schema, as Debezium Server does by default.").build());
        def.define(ConfigKey.builder(KAFKA_TOMBSTONES_ENABLE, ConfigType.BOOLEAN).defaultValue("true").group(g)
                .doc("Whether a delete is followed by a tombstone (null value) for log compaction.").build());
        def.passThrough(KAFKA_PRODUCER_PREFIX, "KafkaProducer",
                "Passed to the KafkaProducer without the prefix, e.g. tideline.sink.kafka.producer.compression.type=zstd.");
    }

    private static void iceberg(ConfigDef def) {
        String g = "Iceberg sink";
        def.define(ConfigKey.builder(ICEBERG_ENABLED, ConfigType.BOOLEAN).defaultValue("false").group(g)
                .doc("Whether to write changes to Apache Iceberg tables.").build());
        def.define(ConfigKey.builder(ICEBERG_NAMESPACE, ConfigType.STRING).defaultValue("tideline").group(g)
                .validator(Validators.nonEmptyString())
                .doc("Iceberg namespace holding one table per source table; created if missing.").build());
        def.define(ConfigKey.builder(ICEBERG_TRIGGER_INTERVAL, ConfigType.DURATION).defaultValue("10s").group(g)
                .validator(Validators.positiveDuration())
                .doc("How often a micro-batch is committed (earlier when a size bound is reached).").build());
        def.define(ConfigKey.builder(ICEBERG_WRITE_MODE, ConfigType.ENUM).defaultValue("upsert").group(g)
                .allowedValues("upsert", "append")
                .doc("upsert: equality deletes keep one row per primary key; append: every change is a new row. "
                        + "Tables without a primary key always append.").build());
        def.define(ConfigKey.builder(ICEBERG_BATCH_MAX_ROWS, ConfigType.INT).defaultValue("100000").group(g)
                .validator(Validators.atLeast(1)).doc("A micro-batch is committed once it holds this many rows.")
                .build());
        def.define(ConfigKey.builder(ICEBERG_TARGET_FILE_SIZE, ConfigType.SIZE).defaultValue("128MB").group(g)
                .validator(Validators.positiveSize()).doc("Target size of the Parquet data files.").build());
        def.define(ConfigKey.builder(ICEBERG_UPKEEP_ENABLED, ConfigType.BOOLEAN).defaultValue("true").group(g)
                .doc("Whether to compact data and delete files and expire old snapshots in the background.").build());
        def.define(ConfigKey.builder(ICEBERG_UPKEEP_INTERVAL, ConfigType.DURATION).defaultValue("10m").group(g)
                .validator(Validators.positiveDuration()).doc("How often table upkeep runs.").build());
        def.define(ConfigKey.builder(ICEBERG_UPKEEP_SNAPSHOT_RETENTION, ConfigType.DURATION).defaultValue("1h")
                .group(g).validator(Validators.positiveDuration())
                .doc("Snapshots older than this are expired by upkeep.").build());
        def.passThrough(ICEBERG_CATALOG_PREFIX, "Iceberg catalog",
                "Iceberg catalog properties without the prefix: type (hadoop | jdbc | rest), warehouse, uri, "
                        + "jdbc.user, ... Required when the Iceberg sink is enabled.");
    }

    private static void operations(ConfigDef def) {
        String g = "Operations";
        def.define(ConfigKey.builder(HTTP_HOST, ConfigType.STRING).defaultValue("127.0.0.1").group(g)
                .validator(Validators.nonEmptyString())
                .doc("Address the health and metrics HTTP server binds to; 0.0.0.0 exposes it on every interface.")
                .build());
        def.define(ConfigKey.builder(HTTP_PORT, ConfigType.PORT).defaultValue("8080").group(g)
                .validator(Validators.port(true))
                .doc("Port of the HTTP server serving GET /health and GET /metrics; 0 picks a free port.").build());
        def.define(ConfigKey.builder(METRICS_LOG_INTERVAL, ConfigType.DURATION).defaultValue("1m").group(g)
                .validator(Validators.positiveDuration()).doc("How often key metrics are written to the log.")
                .build());
        def.define(ConfigKey.builder(LOG_FORMAT, ConfigType.STRING).defaultValue("text").group(g)
                .validator(Validators.oneOf("text", "json"))
                .doc("Log lines on stderr: text, or json (one JSON object per event, for log shippers).").build());
        def.define(ConfigKey.builder(LOG_LEVEL, ConfigType.STRING).defaultValue("INFO").group(g)
                .validator(Validators.oneOf("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"))
                .doc("Level of the root logger. Per logger: tideline.log.level.<logger>, e.g."
                        + " tideline.log.level.org.apache.iceberg=INFO shows Iceberg's per-commit lines.").build());
        def.passThrough(LOG_LEVEL_PREFIX, "Logger levels",
                "The level (TRACE, DEBUG, INFO, WARN, ERROR, OFF) of a logger and its children, e.g."
                        + " tideline.log.level.io.tideline.sink.kafka=DEBUG.");
    }

    private static void transforms(ConfigDef def) {
        def.define(ConfigKey.builder(TRANSFORMS_MASK_SALT, ConfigType.PASSWORD).defaultValue("").group("Transforms")
                .doc("Salt mixed into masked column values, so masks cannot be reversed by a dictionary.").build());
        String suffixes = String.join("|", TRANSFORM_SUFFIXES).replace(".", "\\.");
        def.family(new KeyFamily(TRANSFORMS_PREFIX,
                Pattern.compile("tideline\\.transforms\\.[^.]+\\.[^.]+\\.(" + suffixes + ")"),
                "tideline.transforms.<schema>.<table>.(" + String.join("|", TRANSFORM_SUFFIXES) + ")",
                TRANSFORM_SUFFIXES, 2,
                "Per-table operators; the runtime parses the values. columns.include / columns.exclude / "
                        + "columns.mask: comma-separated column names; filter: a row predicate; route: a target "
                        + "table name."));
    }

    private static void atLeastOneSink(java.util.Map<String, Object> values, java.util.Map<String, String> raw,
            String source, List<ConfigProblem> problems) {
        if (Boolean.FALSE.equals(values.get(KAFKA_ENABLED)) && Boolean.FALSE.equals(values.get(ICEBERG_ENABLED))) {
            problems.add(new ConfigProblem(KAFKA_ENABLED, "Cannot load configuration: no sink is enabled. Set "
                    + KAFKA_ENABLED + "=true or " + ICEBERG_ENABLED + "=true (or both) in " + source + "."));
        }
    }

    private static void kafkaNeedsBootstrapServers(java.util.Map<String, Object> values,
            java.util.Map<String, String> raw, String source, List<ConfigProblem> problems) {
        Object servers = values.get(KAFKA_BOOTSTRAP_SERVERS);
        if (Boolean.TRUE.equals(values.get(KAFKA_ENABLED)) && (servers == null || ((List<?>) servers).isEmpty())) {
            problems.add(new ConfigProblem(KAFKA_BOOTSTRAP_SERVERS, "Cannot load configuration: property '"
                    + KAFKA_BOOTSTRAP_SERVERS + "' is required when " + KAFKA_ENABLED
                    + "=true. Add the brokers' host:port list to " + source + "."));
        }
    }

    /**
     * The Kafka tail fence relies on each partition holding a gap-free, ordered prefix of its changes: only an
     * idempotent producer with acks=all and at most 5 requests in flight gives that, so these cannot be overridden.
     */
    private static void kafkaFenceSettingsStay(java.util.Map<String, Object> values,
            java.util.Map<String, String> raw, String source, List<ConfigProblem> problems) {
        String acks = raw.get(KAFKA_PRODUCER_PREFIX + "acks");
        if (acks != null && !acks.strip().equals("all") && !acks.strip().equals("-1")) {
            problems.add(fenceProblem("acks", acks, "all", source));
        }
        String idempotence = raw.get(KAFKA_PRODUCER_PREFIX + "enable.idempotence");
        if (idempotence != null && !idempotence.strip().equalsIgnoreCase("true")) {
            problems.add(fenceProblem("enable.idempotence", idempotence, "true", source));
        }
        String inFlight = raw.get(KAFKA_PRODUCER_PREFIX + "max.in.flight.requests.per.connection");
        if (inFlight != null) {
            int n;
            try {
                n = Integer.parseInt(inFlight.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > 5) problems.add(fenceProblem("max.in.flight.requests.per.connection", inFlight, "1 to 5", source));
        }
    }

    private static void backoffInitialAtMostMax(java.util.Map<String, Object> values,
            java.util.Map<String, String> raw, String source, List<ConfigProblem> problems) {
        Object initial = values.get(RUNTIME_RESTART_BACKOFF_INITIAL);
        Object max = values.get(RUNTIME_RESTART_BACKOFF_MAX);
        if (initial instanceof java.time.Duration i && max instanceof java.time.Duration m && i.compareTo(m) > 0) {
            problems.add(new ConfigProblem(RUNTIME_RESTART_BACKOFF_INITIAL, "Cannot load configuration: property '"
                    + RUNTIME_RESTART_BACKOFF_INITIAL + "' (" + raw.getOrDefault(RUNTIME_RESTART_BACKOFF_INITIAL, "1s")
                    + ") is longer than '" + RUNTIME_RESTART_BACKOFF_MAX + "' (" + raw.getOrDefault(RUNTIME_RESTART_BACKOFF_MAX, "30s")
                    + "). Lower it or raise the maximum in " + source + "."));
        }
    }

    private static ConfigProblem fenceProblem(String setting, String value, String required, String source) {
        String key = KAFKA_PRODUCER_PREFIX + setting;
        return new ConfigProblem(key, "Cannot load configuration: property '" + key + "' is '" + value + "', but"
                + " Tideline's exactly-once fence needs " + required + " (an idempotent producer that acknowledges only"
                + " what every replica holds, so each partition is a gap-free prefix of its changes). Remove it from "
                + source + ".");
    }

    private static void icebergNeedsCatalogType(java.util.Map<String, Object> values,
            java.util.Map<String, String> raw, String source, List<ConfigProblem> problems) {
        if (Boolean.TRUE.equals(values.get(ICEBERG_ENABLED)) && !raw.containsKey(ICEBERG_CATALOG_PREFIX + "type")
                && !raw.containsKey(ICEBERG_CATALOG_PREFIX + "catalog-impl")) {
            problems.add(new ConfigProblem(ICEBERG_CATALOG_PREFIX + "type", "Cannot load configuration: property '"
                    + ICEBERG_CATALOG_PREFIX + "type' is required when " + ICEBERG_ENABLED
                    + "=true. Set it to hadoop, jdbc or rest (with its warehouse/uri) in " + source + "."));
        }
    }
}
