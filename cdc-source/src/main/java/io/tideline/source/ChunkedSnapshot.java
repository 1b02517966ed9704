package io.tideline.source;

import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The snapshot side of one source run: decides which tables need a snapshot (new deployment, tables added to the
 * include list, requests), and owns the pieces that take it — {@link StreamGate} on the stream thread,
 * {@link Snapshotter} beside it, {@link ChunkJournal} and {@link SnapshotState} under the state dir.
 */
final class ChunkedSnapshot implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkedSnapshot.class);

    private final SnapshotState state;
    private final StreamGate gate;
    private final Snapshotter snapshotter;
    private final ChunkRowDecoder decoder;

    /** Decodes journaled chunks on replay; opened on the first one, closed with the snapshot. */
    private final ChunkReader[] replayReader;

    private ChunkedSnapshot(SnapshotState state, StreamGate gate, Snapshotter snapshotter, ChunkRowDecoder decoder,
                            ChunkReader[] replayReader) {
        this.replayReader = replayReader;
        this.state = state;
        this.gate = gate;
        this.snapshotter = snapshotter;
        this.decoder = decoder;
    }

    /**
     * Reads the state dir and the catalog, records which tables are captured and which need a snapshot, and sets
     * up the gate for a stream resuming after {@code floor}.
     */
    static ChunkedSnapshot open(DebeziumSourceBuilder b, Properties engineProperties, String placeholder,
                                Position floor, boolean offsetsExist) {
        try {
            return openOrThrow(b, engineProperties, placeholder, floor, offsetsExist);
        } catch (SQLException | RuntimeException e) {
            throw new IllegalStateException("Cannot capture changes from " + b.hostname + ":" + b.port + "/" + b.database
                    + " through slot '" + b.slotName + "': " + Failures.describe(e, null) + ". Check that PostgreSQL is"
                    + " reachable, that wal_level=logical and that no other process uses the slot.", e);
        }
    }

    private static ChunkedSnapshot openOrThrow(DebeziumSourceBuilder b, Properties engineProperties, String placeholder,
                                               Position floor, boolean offsetsExist) throws SQLException {
        String url = jdbcUrl(b);
        Properties jdbc = jdbcProperties(b);
        SnapshotState state = SnapshotState.load(b.stateDir);
        Map<TableId, Boolean> keyed = new HashMap<>();
        try (Connection c = java.sql.DriverManager.getConnection(url, jdbc)) {
            reconcile(state, c, b, offsetsExist, keyed);
            Set<TableId> captured = new LinkedHashSet<>();
            for (SnapshotState.TableEntry e : state.entries()) captured.add(e.id());
            try {
                Publications.claim(c, b.stateDir, b.publicationName, captured);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        ChunkJournal journal = new ChunkJournal(b.stateDir);
        ChunkRowDecoder decoder = new ChunkRowDecoder(engineProperties);
        ValueConverter replayValues = new ValueConverter(new TypeConverter(), placeholder);
        Map<TableId, ChunkRowDecoder.TableDecoder> replayDecoders = new HashMap<>();
        ChunkReader[] replayReader = new ChunkReader[1];
        StreamGate[] gateRef = new StreamGate[1];
        StreamGate gate = new StreamGate(state, journal, Math.max(2, b.snapshotThreads * 2), entry -> {
            try {
                ChunkRowDecoder.TableDecoder d = replayDecoders.get(entry.chunk().table());
                if (d == null) {
                    d = decoder.forTable(entry.chunk().table());
                    replayDecoders.put(entry.chunk().table(), d);
                }
                if (replayReader[0] == null) {
                    replayReader[0] = new ChunkReader(java.sql.DriverManager.getConnection(url, jdbc), gateRef[0], placeholder);
                }
                long now = System.currentTimeMillis();
                Row source = replayValues.row(d.source(entry.lsn(), now));
                List<Unstamped> rows = new ArrayList<>(entry.lines().size());
                for (String line : entry.lines()) rows.add(replayReader[0].toChange(line, entry.columns(), d, source, now));
                return rows;
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot replay journaled chunk " + entry.file() + ": " + e.getMessage()
                        + ". Check that PostgreSQL is reachable; the chunk is replayed on the next start.", e);
            }
        });
        gateRef[0] = gate;
        gate.start(floor == null ? Position.ZERO : floor, keyed);
        Snapshotter snapshotter = new Snapshotter(url, jdbc, state, gate, decoder, placeholder, b.snapshotThreads,
                b.snapshotChunkRows, gate.journaledChunks(), new SnapshotRequests(b.stateDir));
        return new ChunkedSnapshot(state, gate, snapshotter, decoder, replayReader);
    }

    /** The source database's JDBC URL. */
    static String jdbcUrl(DebeziumSourceBuilder b) {
        return "jdbc:postgresql://" + b.hostname + ":" + b.port + "/" + b.database;
    }

    /** Login, TLS mode (the engine's {@code database.sslmode}) and timeouts for Tideline's own connections. */
    static Properties jdbcProperties(DebeziumSourceBuilder b) {
        Properties jdbc = new Properties();
        jdbc.setProperty("user", b.user);
        if (b.password != null) jdbc.setProperty("password", b.password);
        String ssl = b.debeziumProperties.get("database.sslmode");
        if (ssl != null) jdbc.setProperty("sslmode", ssl);
        jdbc.setProperty("connectTimeout", "30");
        jdbc.setProperty("tcpKeepAlive", "true");
        return jdbc;
    }

    private static void reconcile(SnapshotState state, Connection c, DebeziumSourceBuilder b, boolean offsetsExist,
                                  Map<TableId, Boolean> keyed) throws SQLException {
        Set<TableId> wanted = new LinkedHashSet<>();
        if (b.tableIncludeList.isEmpty()) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT schemaname, tablename FROM pg_tables"
                    + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")) {
                while (rs.next()) wanted.add(new TableId(rs.getString(1), rs.getString(2)));
            }
        } else {
            for (String t : b.tableIncludeList) wanted.add(TableId.parse(t.strip()));
        }
        boolean fresh = !state.existed();
        boolean snapshotNew = b.snapshotMode.equals("initial");
        List<TableId> added = new ArrayList<>();
        for (TableId t : wanted) {
            if (state.get(t) != null) continue;
            // A deployment older than the state file took its snapshot through Debezium already.
            boolean snapshot = snapshotNew && !(fresh && offsetsExist);
            state.put(t, snapshot ? SnapshotState.Status.PENDING : SnapshotState.Status.CAPTURED);
            if (snapshot) added.add(t);
        }
        for (SnapshotState.TableEntry e : state.entries()) {
            if (!wanted.contains(e.id())) {
                LOG.info("Table {} is no longer in tideline.source.table.include.list: it stops being captured", e.id());
                state.remove(e.id());
            }
        }
        state.save();
        for (SnapshotState.TableEntry e : state.entries()) {
            if (e.status != SnapshotState.Status.CAPTURED || e.baseSnapshot != null) {
                keyed.put(e.id(), TableLayout.read(c, e.id()).keyed());
            }
        }
        if (!added.isEmpty()) {
            LOG.info("{} to snapshot: {}", fresh ? "Initial snapshot" : "Tables added to the include list", added);
        }
    }

    StreamGate gate() {
        return gate;
    }

    /** A new connection to the source database (for the heartbeat). */
    java.sql.Connection connect() throws SQLException {
        return snapshotter.connect();
    }

    void start() {
        snapshotter.start();
    }

    Throwable failure() {
        return snapshotter.failure();
    }

    void acknowledged(Position durable) {
        gate.acknowledged(durable);
    }

    /** Every captured table's snapshot progress, for logs, metrics and health. */
    List<SnapshotProgress> progress() {
        List<SnapshotProgress> out = new ArrayList<>();
        for (SnapshotState.TableEntry e : state.entries()) {
            synchronized (state) {
                out.add(new SnapshotProgress(e.id(), e.status.name().toLowerCase(java.util.Locale.ROOT), e.rowsEmitted,
                        snapshotter.rowsRead(e.id()), e.estimatedRows, e.chunksDone, e.nextChunkId, e.allPlanned));
            }
        }
        return out;
    }

    @Override
    public void close() {
        snapshotter.close();
        decoder.close();
        if (replayReader[0] != null) {
            try {
                replayReader[0].close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }
}
