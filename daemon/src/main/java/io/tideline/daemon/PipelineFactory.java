package io.tideline.daemon;

import static io.tideline.config.TidelineConfigDef.*;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideline.api.ChangeSource;
import io.tideline.api.Sink;
import io.tideline.config.TidelineConfig;
import io.tideline.daemon.wiring.PausePoints;
import io.tideline.daemon.wiring.Wiring;
import io.tideline.idempotency.EpochLedger;
import io.tideline.runtime.EpochRuntime;
import io.tideline.runtime.Operators;
import io.tideline.sink.iceberg.IcebergSink;
import io.tideline.sink.iceberg.Upkeep;
import io.tideline.sink.iceberg.WriteMode;
import io.tideline.sink.kafka.KafkaSink;
import io.tideline.source.DebeziumChangeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the live pipeline from the configuration: source, runtimes and sinks. */
public final class PipelineFactory {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineFactory.class);

    private PipelineFactory() {
    }

    /**
     * @param config   the validated configuration
     * @param registry where the pipeline publishes its meters (served on GET /metrics)
     */
    public static Pipeline create(TidelineConfig config, MeterRegistry registry) throws Exception {
        Path stateDir = config.getPath(STATE_DIR).toAbsolutePath();
        Files.createDirectories(stateDir);
        // The ledger holds the state-dir lock: a second daemon on the same state refuses here, before touching the slot.
        EpochLedger ledger = EpochLedger.open(stateDir);
        List<Sink> sinks = new ArrayList<>();
        try {
            PausePoints pauses = PausePoints.fromEnvironment(System.getenv());
            io.tideline.api.SourceIdentity identity = new io.tideline.api.SourceIdentity();
            DebeziumChangeSource capture = source(config, stateDir, identity);
            SnapshotMetrics snapshots = new SnapshotMetrics(capture::snapshotProgress, registry);
            io.micrometer.core.instrument.Gauge.builder("tideline.source.slot.retained.wal", capture, c -> c.retainedWalBytes())
                    .baseUnit("bytes").description("WAL the replication slot holds back (pg_current_wal_lsn() - restart_lsn);"
                            + " -1 before the first measurement").register(registry);
            ChangeSource source = Wiring.pausing(capture, pauses);
            if (config.getBoolean(KAFKA_ENABLED)) sinks.add(Wiring.pausing(kafka(config, registry, identity), pauses));
            IcebergSink icebergSink = config.getBoolean(ICEBERG_ENABLED) ? iceberg(config, registry, identity) : null;
            if (icebergSink != null) sinks.add(Wiring.pausing(icebergSink, pauses));
            EpochRuntime.Builder runtime = EpochRuntime.builder()
                    .source(source)
                    .ledger(ledger)
                    .epochDuration(config.getDuration(RUNTIME_EPOCH_DURATION))
                    .parallelism(config.getInt(RUNTIME_PARALLELISM))
                    .queueCapacity(config.getInt(RUNTIME_QUEUE_CAPACITY))
                    .memoryMax(config.getSize(RUNTIME_MEMORY_MAX))
                    .operators(Operators.fromProperties(config.withPrefix(TRANSFORMS_PREFIX)))
                    .batchTrigger(config.getDuration(ICEBERG_TRIGGER_INTERVAL), config.getInt(ICEBERG_BATCH_MAX_ROWS))
                    .shutdownTimeout(config.getDuration(RUNTIME_SHUTDOWN_TIMEOUT))
                    .restartBackoff(config.getDuration(RUNTIME_RESTART_BACKOFF_INITIAL), config.getDuration(RUNTIME_RESTART_BACKOFF_MAX))
                    .maxConsecutiveFailures(config.getInt(RUNTIME_RESTART_MAX_FAILURES))
                    .failureKinds(FailureKinds::of)
                    .meterRegistry(registry);
            sinks.forEach(runtime::sink);
            EpochRuntime rt = runtime.build();
            LOG.info("Pipeline ready: state dir {}, sinks {}, last committed position {}", stateDir,
                    sinks.stream().map(Sink::name).toList(), rt.lastCommitted().map(Object::toString).orElse("none"));
            return new RuntimePipeline(rt, source, sinks, ledger, snapshots, icebergSink);
        } catch (Exception | Error e) {
            Wiring.closeQuietly(sinks);
            ledger.close();
            throw e;
        }
    }

    private static DebeziumChangeSource source(TidelineConfig config, Path stateDir, io.tideline.api.SourceIdentity identity) {
        return DebeziumChangeSource.builder()
                .identity(identity)
                .hostname(config.getString(SOURCE_HOSTNAME))
                .port(config.getInt(SOURCE_PORT))
                .user(config.getString(SOURCE_USER))
                .password(config.getPassword(SOURCE_PASSWORD).value())
                .database(config.getString(SOURCE_DBNAME))
                .slotName(config.getString(SOURCE_SLOT_NAME))
                .publicationName(config.getString(SOURCE_PUBLICATION_NAME))
                .tableIncludeList(config.getList(SOURCE_TABLE_INCLUDE_LIST))
                .snapshotMode(config.getString(SOURCE_SNAPSHOT_MODE))
                .snapshotThreads(config.getInt(SOURCE_SNAPSHOT_THREADS))
                .snapshotChunkRows(config.getInt(SOURCE_SNAPSHOT_CHUNK_ROWS))
                .heartbeatInterval(config.getDuration(SOURCE_HEARTBEAT_INTERVAL))
                .captureTruncate(config.getString(SOURCE_TRUNCATE).equals("capture"))
                .maxBufferedChanges(config.getInt(SOURCE_TRANSACTION_BUFFER))
                .memoryBytes(config.getSize(RUNTIME_MEMORY_MAX) / 2)
                .walRetainedWarnBytes(config.getSize(SOURCE_WAL_RETAINED_WARN))
                .stateDir(stateDir)
                .debeziumProperties(config.withPrefix(SOURCE_DEBEZIUM_PREFIX))
                .build();
    }

    private static Sink kafka(TidelineConfig config, MeterRegistry registry, io.tideline.api.SourceIdentity identity) {
        return KafkaSink.builder()
                .sourceIdentity(identity)
                .resetFencesForNewSource(config.getBoolean(SINK_FENCE_RESET_FOR_NEW_SOURCE))
                .bootstrapServers(String.join(",", config.getList(KAFKA_BOOTSTRAP_SERVERS)))
                .topicPrefix(config.getString(KAFKA_TOPIC_PREFIX))
                .partitionsPerTopic(config.getInt(KAFKA_TOPIC_PARTITIONS))
                .schemasEnable(config.getBoolean(KAFKA_SCHEMAS_ENABLE))
                .tombstones(config.getBoolean(KAFKA_TOMBSTONES_ENABLE))
                .producerProperties(config.withPrefix(KAFKA_PRODUCER_PREFIX))
                .latencyLogInterval(config.getDuration(METRICS_LOG_INTERVAL))
                .meterRegistry(registry)
                .build();
    }

    private static IcebergSink iceberg(TidelineConfig config, MeterRegistry registry, io.tideline.api.SourceIdentity identity) {
        Upkeep upkeep = Upkeep.every(config.getDuration(ICEBERG_UPKEEP_INTERVAL))
                .snapshotRetention(config.getDuration(ICEBERG_UPKEEP_SNAPSHOT_RETENTION))
                .enabled(config.getBoolean(ICEBERG_UPKEEP_ENABLED));
        return IcebergSink.builder()
                .sourceIdentity(identity)
                .resetFencesForNewSource(config.getBoolean(SINK_FENCE_RESET_FOR_NEW_SOURCE))
                .catalogProperties(config.withPrefix(ICEBERG_CATALOG_PREFIX))
                .namespace(config.getString(ICEBERG_NAMESPACE))
                .writeMode(WriteMode.valueOf(config.getString(ICEBERG_WRITE_MODE).toUpperCase(Locale.ROOT)))
                .targetFileSizeBytes(config.getSize(ICEBERG_TARGET_FILE_SIZE))
                .upkeep(upkeep)
                .meterRegistry(registry)
                .build();
    }

    /** The epoch runtime as the daemon's pipeline; owns the source, sinks and ledger it was built with. */
    private static final class RuntimePipeline implements Pipeline {
        private final EpochRuntime runtime;
        private final ChangeSource source;
        private final List<Sink> sinks;
        private final EpochLedger ledger;
        private final SnapshotMetrics snapshots;
        private final IcebergSink iceberg;

        RuntimePipeline(EpochRuntime runtime, ChangeSource source, List<Sink> sinks, EpochLedger ledger, SnapshotMetrics snapshots,
                        IcebergSink iceberg) {
            this.snapshots = snapshots;
            this.iceberg = iceberg;
            this.runtime = runtime;
            this.source = source;
            this.sinks = sinks;
            this.ledger = ledger;
        }

        @Override
        public void run() throws Exception {
            try {
                runtime.run();
            } finally {
                Wiring.closeQuietly(List.of(source));
                Wiring.closeQuietly(sinks);
                ledger.close();
            }
        }

        @Override
        public void stop() {
            runtime.stop();
        }

        @Override
        public List<String> notReadyReasons() {
            List<String> reasons = new ArrayList<>();
            runtime.recovering().ifPresent(reasons::add);
            java.time.Duration since = runtime.sinceLastEpochCommit();
            if (since.compareTo(runtime.epochDuration().multipliedBy(3)) > 0) {
                reasons.add("no epoch committed for " + since.toSeconds() + " s (more than 3 x the epoch duration of "
                        + runtime.epochDuration() + "): a sink or the source is stuck; see the log");
            }
            reasons.addAll(snapshots.notReady());
            if (iceberg != null) {
                iceberg.parkedTables().forEach((table, p) -> reasons.add("Iceberg table of " + table + " is parked, the slot"
                        + " held at " + p.heldAt() + " (restart after the fix): " + p.reason()));
            }
            return reasons;
        }
    }
}
