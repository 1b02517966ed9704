package io.tideline.source;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import io.tideline.api.ChangeSource;
import io.tideline.api.Position;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * PostgreSQL changes captured by Debezium's embedded (asynchronous) engine over {@code pgoutput}, delivered as
 * Tideline {@link io.tideline.api.ChangeEvent}s. Runtimes never see a Debezium or Kafka Connect class.
 *
 * <h2>Positions</h2>
 * A change's position is (commit LSN of its transaction, index inside it). Streamed transactions are held
 * until their END marker (see {@link PositionStamper}); the initial snapshot is one transaction at the
 * snapshot's consistent-point LSN, delivered as read. At most {@link DebeziumSourceBuilder#maxBufferedChanges} changes of one
 * transaction are held in memory; the rest of a larger one spills to {@value #SPILL_DIR} under the state dir.
 *
 * <h2>Acknowledgement</h2>
 * Nothing is marked processed when it is delivered. {@link #acknowledge} marks the last transaction at or
 * before the position processed and commits offsets: Debezium then writes the offset store (an fsynced file
 * under the state dir) and, on its next poll, flushes that transaction's commit LSN to the replication slot.
 * So the stored offset and {@code confirmed_flush_lsn} never pass an acknowledged position. The last
 * acknowledged position is also kept in {@value #ACK_FILE}; after a restart everything after it is delivered
 * again and nothing at or before it.
 */
public final class DebeziumChangeSource implements ChangeSource {

    /** Debezium's offset store, under the state dir. */
    public static final String OFFSET_FILE = "source-offsets.dat";
    /** The last acknowledged position, {@code <commitLsn>/<index>}, under the state dir. */
    public static final String ACK_FILE = "source-ack.position";
    /** Where the part of a transaction beyond {@link DebeziumSourceBuilder#maxBufferedChanges} waits for its commit. */
    public static final String SPILL_DIR = "source-spill";

    private static final Logger LOG = LoggerFactory.getLogger(DebeziumChangeSource.class);

    private final DebeziumSourceBuilder settings;
    private final Properties properties;
    private final Path offsetFile;
    private final AckFile ackFile;
    private final Object lifecycle = new Object();
    private final Object ackLock = new Object();

    private volatile Run current;
    private volatile ChunkedSnapshot lastSnapshot;
    private volatile Heartbeats heartbeats;
    private volatile Position acknowledged;

    DebeziumChangeSource(DebeziumSourceBuilder b) {
        this.settings = b;
        this.offsetFile = b.stateDir.resolve(OFFSET_FILE).toAbsolutePath();
        this.ackFile = new AckFile(b.stateDir.resolve(ACK_FILE));
        this.properties = EngineProperties.build(b, offsetFile);
    }

    public static DebeziumSourceBuilder builder() {
        return new DebeziumSourceBuilder();
    }

    /** Tideline's Debezium defaults (before connection settings and user overrides), for documentation. */
    public static Map<String, String> defaultProperties() {
        return EngineProperties.defaults();
    }

    /** The full engine configuration this source runs with, password masked. */
    public Map<String, String> effectiveProperties() {
        return EngineProperties.masked(properties);
    }

    /** The last position acknowledged (in this process or a previous one), or null. */
    public Position lastAcknowledged() throws IOException {
        Position p = acknowledged;
        return p != null ? p : ackFile.read();
    }

    @Override
    public void run(ChangeHandler handler) throws Exception {
        Run run;
        synchronized (lifecycle) {
            if (current != null) {
                throw new IllegalStateException("Cannot run source '" + settings.name
                        + "': it is already running. Call close() and wait for run() to return first.");
            }
            TransactionBuffer.removeSpillFiles(settings.stateDir.resolve(SPILL_DIR));
            Position floor = lastAcknowledged();
            acknowledged = floor;
            String placeholder = properties.getProperty(EngineProperties.PLACEHOLDER, EngineProperties.DEFAULT_PLACEHOLDER);
            ClusterIdentity.verify(settings);
            ChunkedSnapshot snapshot = ChunkedSnapshot.open(settings, properties, placeholder, floor,
                    java.nio.file.Files.exists(offsetFile));
            run = new Run(handler, floor, placeholder, snapshot);
            current = run;
            LOG.info("Starting capture of {}:{}/{} tables {} through slot '{}' and publication '{}' (snapshot.mode={}),"
                            + " resuming after position {}", settings.hostname, settings.port, settings.database,
                    settings.tableIncludeList.isEmpty() ? "(all)" : settings.tableIncludeList, settings.slotName,
                    settings.publicationName, settings.snapshotMode, floor == null ? "(none)" : floor);
        }
        Heartbeats beats = new Heartbeats(run.snapshot::connect, settings.slotName, settings.heartbeatInterval,
                settings.walRetainedWarnBytes);
        heartbeats = beats;
        try {
            run.snapshot.start();
            beats.start();
            run.execute();
        } finally {
            beats.close();
            run.snapshot.close();
            synchronized (lifecycle) {
                current = null;
                lastSnapshot = run.snapshot;
            }
        }
    }

    /** WAL bytes the slot retains, as last measured by the heartbeat; -1 before the first look. */
    public long retainedWalBytes() {
        Heartbeats h = heartbeats;
        return h == null ? -1 : h.retainedWalBytes();
    }

    /** Every captured table's snapshot progress (of the current run, or the last one). */
    public List<SnapshotProgress> snapshotProgress() {
        Run run = current;
        ChunkedSnapshot s = run != null ? run.snapshot : lastSnapshot;
        return s == null ? List.of() : s.progress();
    }

    /** Asks the running daemon (or the next start) to snapshot these {@code schema.table}s again. */
    public static Path requestSnapshot(Path stateDir, List<String> tables) {
        return new SnapshotRequests(stateDir).request(tables);
    }

    @Override
    public void acknowledge(Position durable) throws Exception {
        synchronized (ackLock) {
            Run run = current;
            if (run == null) {
                // run() returned: the next run replays from the stored offset, which the runtime fences.
                LOG.debug("Ignoring acknowledgement of {}: the source is not running", durable);
                return;
            }
            AckMarkers.Marker<RecordChangeEvent<SourceRecord>> target = run.markers.takeUpTo(durable);
            if (target == null) {
                return;
            }
            if (target.record() != null) {
                long savesBefore = TidelineOffsetBackingStore.saves(offsetFile);
                try {
                    run.commitUpTo(target);
                } catch (RuntimeException e) {
                    if (run.stopRequested) {
                        // Racing close(): the next run replays from the previous acknowledgement, which sinks fence.
                        LOG.info("Acknowledgement of {} dropped: the source is stopping", target.position());
                        return;
                    }
                    throw e;
                }
                if (TidelineOffsetBackingStore.saves(offsetFile) == savesBefore) {
                    throw new IllegalStateException("Cannot acknowledge position " + target.position() + ": the offset"
                            + " store " + offsetFile + " was not written (see Debezium's log above). The next"
                            + " acknowledgement retries; until then the slot keeps the changes.");
                }
            }
            ackFile.write(target.position());
            acknowledged = target.position();
            run.snapshot.acknowledged(target.position());
            LOG.debug("Acknowledged position {}", target.position());
        }
    }

    @Override
    public void epochCut(Position end) {
        Run run = current;
        if (run != null) run.markers.cut(end);
    }

    @Override
    public void close() throws Exception {
        Run run = current;
        if (run != null) {
            run.stop();
        }
    }


    /** The state of one {@link #run} call: one engine, its committer, what awaits acknowledgement. */
    private final class Run implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {

        private final ChangeHandler handler;
        private final PositionStamper<PendingChange> stamper;
        private final RecordConverter converter;
        private final AckMarkers<RecordChangeEvent<SourceRecord>> markers = new AckMarkers<>();
        private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
        private final IdlePollPacer pacer;
        private volatile DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer;
        private volatile boolean stopRequested;
        private volatile boolean inRun;
        private volatile Throwable failure;
        private volatile String failureMessage;
        private volatile RuntimeException handlerFailure;
        /** Between a transaction's BEGIN and its END (stream thread only). */
        private boolean inTransaction;
        private final ChunkedSnapshot snapshot;
        private final StreamGate gate;

        Run(ChangeHandler handler, Position floor, String placeholder, ChunkedSnapshot snapshot) {
            this.handler = handler;
            this.snapshot = snapshot;
            this.gate = snapshot.gate();
            this.converter = new RecordConverter(new ValueConverter(new TypeConverter(), placeholder));
            this.stamper = new PositionStamper<>(
                    (change, position, last) -> handler.onChange(change.unstamped(converter).stamp(position, last)),
                    floor, new TransactionBuffer<>(settings.maxBufferedChanges, settings.maxBufferedBytes,
                    PendingChange::approxBytes, settings.stateDir.resolve(SPILL_DIR), new PendingChange.Codec(),
                    change -> change.compact(converter)));
            this.pacer = new IdlePollPacer(properties.getProperty("topic.prefix"), () -> stopRequested);
            this.engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(properties)
                    .using(pacer)
                    .using(this::completed)
                    .notifying(this)
                    .build();
        }

        void execute() throws Exception {
            inRun = true;
            try {
                if (!stopRequested) {
                    engine.run();
                }
            } finally {
                inRun = false;
            }
            if (stopRequested) {
                // A handler blocked at close() is interrupted; that is the stop, not a failure.
                LOG.info("Capture through slot '{}' stopped", settings.slotName);
                if (failure != null) {
                    LOG.debug("Engine ended with this while stopping", failure);
                }
                return;
            }
            if (handlerFailure != null) {
                throw handlerFailure;
            }
            if (failure != null || failureMessage != null) {
                throw new IllegalStateException("Cannot capture changes from " + settings.hostname + ":" + settings.port
                        + "/" + settings.database + " through slot '" + settings.slotName + "': "
                        + Failures.describe(failure, failureMessage) + Failures.advice(failure, failureMessage), failure);
            }
            if (!stopRequested) {
                throw new IllegalStateException("Cannot keep capturing through slot '" + settings.slotName
                        + "': the Debezium engine stopped on its own. See its log above, then run again.");
            }
        }

        private void completed(boolean success, String message, Throwable error) {
            if (!success || error != null) {
                failureMessage = message;
                failure = error;
                for (Throwable t = error; t != null; t = t.getCause()) {
                    if (t instanceof HandlerFailure hf) {
                        handlerFailure = (RuntimeException) hf.getCause();
                        break;
                    }
                }
            }
        }

        @Override
        public void handleBatch(List<RecordChangeEvent<SourceRecord>> records,
                                DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
                throws InterruptedException {
            this.committer = committer;
            for (RecordChangeEvent<SourceRecord> event : records) {
                if (stopRequested) {
                    return;
                }
                try {
                    handle(event);
                } catch (InterruptedException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new HandlerFailure(e);
                }
            }
        }

        private void handle(RecordChangeEvent<SourceRecord> event) throws InterruptedException {
            Throwable snapshotFailure = snapshot.failure();
            if (snapshotFailure != null) {
                throw new IllegalStateException("Cannot snapshot: " + snapshotFailure.getMessage() + ". The capture"
                        + " restarts from the last acknowledged position and the snapshot resumes at its first"
                        + " unacknowledged chunk.", snapshotFailure);
            }
            SourceRecord record = event.record();
            RecordConverter.Kind kind = converter.classify(record);
            if (kind instanceof RecordConverter.Change) {
                if (!inTransaction) {
                    // Positions count a transaction's changes from its BEGIN: stamping part of one would shift them
                    // against the positions the sinks already hold, and the missing part would be lost unseen.
                    throw new IllegalStateException("Cannot stamp a change of " + converter.table(record) + ": Debezium"
                            + " delivered it without its transaction's BEGIN, so the transaction would arrive"
                            + " incomplete. The capture restarts from the last acknowledged position.");
                }
                if (gate.gating()) {
                    io.tideline.api.TableId table = converter.table(record);
                    if (!gate.admits(table)) {
                        return; // the table's snapshot holds this change already
                    }
                    if (gate.watching(table)) {
                        if (RecordConverter.isTruncate(record)) gate.truncated(table);
                        else gate.touched(table, converter.touched(record, gate.keyed(table)));
                    }
                }
                stamper.change(PendingChange.of(record));
            } else if (kind instanceof RecordConverter.TransactionBegin begin) {
                if (stamper.buffered() > 0) {
                    // Debezium restarted its task mid-transaction and sends the transaction again from its start.
                    LOG.warn("Discarding {} buffered changes of a transaction that Debezium is sending again",
                            stamper.buffered());
                    stamper.discardOpenTransaction();
                }
                gate.begin(begin.xid());
                inTransaction = true;
            } else if (kind instanceof RecordConverter.TransactionEnd end) {
                inTransaction = false;
                emit(gate.dueBefore(end.commitLsn()), null);
                stamper.commit(end.commitLsn(), last -> markers.add(last, event));
                gate.committed(end.commitLsn());
            } else if (kind instanceof RecordConverter.Message m && StreamGate.PREFIX.equals(m.prefix())) {
                emit(gate.onMessage(m.content(), m.lsn(), event), event);
                if (Heartbeats.is(m.content()) && stamper.buffered() == 0) {
                    // above any transaction that ended at this LSN, below any chunk (chunks have their own watermark)
                    Position p = new Position(m.lsn(), StreamGate.CHUNK_INDEX_BASE - 1);
                    if (stamper.passTo(p)) {
                        markers.add(p, event);
                        handler.onProgress(p);
                    }
                }
            }
        }

        /** Snapshot chunks at their watermark: each one unit, so a barrier never splits it. */
        private void emit(List<StreamGate.Emission> chunks, RecordChangeEvent<SourceRecord> watermark) throws InterruptedException {
            for (StreamGate.Emission e : chunks) {
                if (e.rows().isEmpty()) continue;
                RecordChangeEvent<SourceRecord> marker = e.marker() != null ? watermark : null;
                stamper.chunk(e.lsn(), StreamGate.CHUNK_INDEX_BASE,
                        e.rows().stream().map(PendingChange::converted).toList(), last -> markers.add(last, marker));
            }
        }

        void commitUpTo(AckMarkers.Marker<RecordChangeEvent<SourceRecord>> marker) throws InterruptedException {
            DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> c = committer;
            if (c == null || !inRun) {
                throw new IllegalStateException("Cannot acknowledge position " + marker.position()
                        + ": the Debezium engine is not running. Run the source again; it replays from the last"
                        + " acknowledged position.");
            }
            c.markProcessed(marker.record());
            c.markBatchFinished();
            pacer.wake(); // the slot moves at the engine's next poll
        }

        void stop() throws InterruptedException {
            stopRequested = true;
            Failures.closeEngine(engine, settings.slotName);
        }
    }

    /** Carries an exception of ours through Debezium so run() rethrows it as it was. */
    private static final class HandlerFailure extends RuntimeException {
        HandlerFailure(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
