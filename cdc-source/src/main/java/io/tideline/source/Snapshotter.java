package io.tideline.source;

import io.tideline.api.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drives the chunked snapshot of every table that needs one, beside the running stream: takes each table's base,
 * plans its chunks by primary key (or heap pages) a few ahead of the readers, and runs the reads on
 * {@code threads} connections. Plans are saved before a chunk is read, so a restart resumes at the first chunk
 * not yet acknowledged instead of row 0. Logs progress every few seconds.
 */
final class Snapshotter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Snapshotter.class);
    private static final long PROGRESS_EVERY_MS = 5_000;
    private static final long BASE_WAIT_MAX_MS = 10_000;

    private final String jdbcUrl;
    private final Properties jdbcProperties;
    private final SnapshotState state;
    private final StreamGate gate;
    private final ChunkRowDecoder decoder;
    private final String placeholder;
    private final int threads;
    private final int chunkRows;
    private final Set<String> journaled;
    private final SnapshotRequests requests;
    private final Map<TableId, AtomicLong> rowsRead = new ConcurrentHashMap<>();
    /** Tables whose every chunk this run read (or found journaled): only acknowledgement is left. */
    private final Set<TableId> readThisRun = ConcurrentHashMap.newKeySet();
    private final java.util.Queue<ChunkReader> readers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean stopped;
    private volatile Throwable failure;
    private Thread coordinator;
    private ExecutorService pool;

    Snapshotter(String jdbcUrl, Properties jdbcProperties, SnapshotState state, StreamGate gate, ChunkRowDecoder decoder,
                String placeholder, int threads, int chunkRows, Set<String> journaled, SnapshotRequests requests) {
        this.jdbcUrl = jdbcUrl;
        this.jdbcProperties = jdbcProperties;
        this.state = state;
        this.gate = gate;
        this.decoder = decoder;
        this.placeholder = placeholder;
        this.threads = threads;
        this.chunkRows = chunkRows;
        this.journaled = journaled;
        this.requests = requests;
    }

    void start() {
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tideline-snapshot-reader");
            t.setDaemon(true);
            return t;
        });
        coordinator = new Thread(this::coordinate, "tideline-snapshot");
        coordinator.setDaemon(true);
        coordinator.start();
    }

    /** Why the snapshot stopped, or null while it runs or after it finished. */
    Throwable failure() {
        return failure;
    }

    long rowsRead(TableId table) {
        AtomicLong n = rowsRead.get(table);
        return n == null ? 0 : n.get();
    }

    private void coordinate() {
        try (Connection c = connect()) {
            while (!stopped) {
                boolean worked = false;
                for (SnapshotState.TableEntry e : state.entries()) {
                    if (stopped) return;
                    boolean open = e.status == SnapshotState.Status.PENDING || e.status == SnapshotState.Status.SNAPSHOTTING;
                    if (open && !readThisRun.contains(e.id())) {
                        snapshot(c, e.id());
                        readThisRun.add(e.id());
                        worked = true;
                    }
                }
                if (!worked) {
                    for (TableId t : requests.take(state)) {
                        gate.pending(t, TableLayout.read(c, t).keyed());
                        readThisRun.remove(t);
                        worked = true;
                    }
                    if (!worked) Thread.sleep(1000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (!stopped) {
                failure = t;
                LOG.error("Snapshot stopped: {}", t.getMessage(), t);
            }
        }
    }

    private void snapshot(Connection c, TableId table) throws Exception {
        TableLayout layout = TableLayout.read(c, table);
        ChunkRowDecoder.TableDecoder tableDecoder = decoder.forTable(table);
        if (tableDecoder == null || !tableDecoder.columnNames().equals(layout.columns())) {
            throw new IllegalStateException("Cannot snapshot table " + table + ": its columns "
                    + layout.columns() + " differ from Debezium's view " + (tableDecoder == null ? "(none)" : tableDecoder.columnNames())
                    + ". Run again; if it persists, report it with the table's definition.");
        }
        SnapshotState.TableEntry entry = state.get(table);
        if (entry.status == SnapshotState.Status.PENDING) {
            takeBase(c, table);
            synchronized (state) {
                entry.estimatedRows = layout.estimatedRows();
            }
            state.save();
            LOG.info("Snapshot of {} started: about {} rows, {} rows per chunk, {} threads", table,
                    layout.estimatedRows() < 0 ? "?" : layout.estimatedRows(), chunkRows, threads);
        } else {
            LOG.info("Snapshot of {} resumes: {} chunks ({} rows) done, {} chunks to read again", table,
                    entry.chunksDone, entry.rowsEmitted, entry.open.size());
        }
        ExecutorCompletionService<Integer> done = new ExecutorCompletionService<>(pool);
        List<Future<Integer>> running = new ArrayList<>();
        AtomicLong read = rowsRead.computeIfAbsent(table, t -> new AtomicLong());
        List<Chunk> again = new ArrayList<>();
        synchronized (state) {
            for (SnapshotState.ChunkEntry ce : entry.open) {
                Chunk chunk = ce.chunk(table);
                if (!journaled.contains(chunk.key())) again.add(chunk);
            }
        }
        long pagesPerChunk = layout.pagesPerChunk(chunkRows);
        long lastLog = System.currentTimeMillis();
        long startRows = entry.rowsEmitted;
        long startMs = System.currentTimeMillis();
        while (!stopped) {
            while (running.size() < threads * 2) {
                Chunk next = !again.isEmpty() ? again.remove(0) : plan(c, layout, entry, pagesPerChunk);
                if (next == null) break;
                running.add(done.submit(() -> readChunk(next, layout, tableDecoder, read)));
            }
            if (running.isEmpty()) break;
            Future<Integer> f = done.take();
            running.remove(f);
            f.get();
            if (System.currentTimeMillis() - lastLog >= PROGRESS_EVERY_MS) {
                lastLog = System.currentTimeMillis();
                logProgress(table, entry, read.get() + startRows, startRows, startMs);
            }
        }
        synchronized (state) {
            if (entry.allPlanned && entry.open.isEmpty() && entry.status == SnapshotState.Status.SNAPSHOTTING) {
                entry.status = SnapshotState.Status.CAPTURED;
                entry.finishedAtMs = System.currentTimeMillis();
            }
        }
        state.save();
        LOG.info("Snapshot of {}: every chunk read ({} rows handed on in this run); done once acknowledged",
                table, read.get());
    }

    private int readChunk(Chunk chunk, TableLayout layout, ChunkRowDecoder.TableDecoder tableDecoder,
                                          AtomicLong read) throws Exception {
        ChunkReader reader = READERS.get();
        for (int attempt = 1; ; attempt++) {
            try {
                if (reader == null) {
                    reader = new ChunkReader(connect(), gate, placeholder);
                    READERS.set(reader);
                    readers.add(reader);
                }
                int rows = reader.read(chunk, layout, tableDecoder);
                read.addAndGet(rows);
                return rows;
            } catch (SQLException e) {
                if (stopped || attempt >= 5) throw e;
                LOG.warn("Reading chunk {} failed ({}); reconnecting, attempt {} of 5", chunk.key(), e.getMessage(), attempt + 1);
                try {
                    reader.close();
                } catch (SQLException ignored) {
                    // already broken
                }
                reader = null;
                READERS.remove();
                Thread.sleep(Math.min(10_000, 500L << attempt));
            }
        }
    }

    private static final ThreadLocal<ChunkReader> READERS = new ThreadLocal<>();

    /** The next chunk of the table, saved as open before anyone reads it; null when every chunk is planned. */
    private Chunk plan(Connection c, TableLayout layout, SnapshotState.TableEntry entry, long pagesPerChunk) throws SQLException {
        List<String> lower;
        synchronized (state) {
            if (entry.allPlanned) return null;
            lower = entry.nextLower;
        }
        List<String> upper = layout.nextUpper(c, lower, chunkRows, pagesPerChunk);
        SnapshotState.ChunkEntry ce = new SnapshotState.ChunkEntry();
        synchronized (state) {
            ce.id = entry.nextChunkId++;
            ce.lower = lower;
            ce.upper = upper;
            entry.open.add(ce);
            entry.nextLower = upper;
            entry.allPlanned = upper == null;
        }
        state.save();
        return ce.chunk(entry.id());
    }

    private void takeBase(Connection c, TableId table) throws Exception {
        long started = System.currentTimeMillis();
        long wait = 500; // a watermark written before the slot existed never arrives: ask again soon
        for (int attempt = 1; !stopped; attempt++) {
            StreamGate.BaseRequest req = gate.requestBase(table);
            Watermarks.emit(c, req.key);
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_current_snapshot()::text, pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
                rs.next();
                req.taken(PgSnapshot.parse(rs.getString(1)), rs.getLong(2));
            }
            String why = req.await(wait);
            wait = Math.min(BASE_WAIT_MAX_MS, wait * 2);
            if (why == null) return;
            if (System.currentTimeMillis() - started > 60_000) {
                LOG.warn("Base of {} not taken yet (attempt {}): {}", table, attempt, why);
            } else {
                LOG.debug("Base of {} taken again: {}", table, why);
            }
        }
        throw new InterruptedException("snapshot stopped");
    }

    private void logProgress(TableId table, SnapshotState.TableEntry e, long rows, long startRows, long startMs) {
        double secs = Math.max(0.001, (System.currentTimeMillis() - startMs) / 1000.0);
        double rate = (rows - startRows) / secs;
        long estimated;
        long chunks;
        synchronized (state) {
            estimated = e.estimatedRows;
            chunks = e.nextChunkId;
        }
        String eta = estimated > rows && rate > 0 ? Math.round((estimated - rows) / rate) + " s" : "?";
        LOG.info("Snapshot of {}: {} of ~{} rows read, {} chunks planned, {} rows/s, ETA {}", table, rows,
                estimated < 0 ? "?" : estimated, chunks, Math.round(rate), eta);
    }

    Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(jdbcUrl, jdbcProperties);
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = 'tideline-snapshot'");
        }
        return c;
    }

    @Override
    public void close() {
        stopped = true;
        if (coordinator != null) coordinator.interrupt();
        if (pool != null) pool.shutdownNow();
        if (coordinator != null) {
            try {
                coordinator.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (ChunkReader r; (r = readers.poll()) != null; ) {
            try {
                r.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

}
