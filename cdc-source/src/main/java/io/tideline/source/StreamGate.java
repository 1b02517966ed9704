package io.tideline.source;

import io.tideline.api.Position;
import io.tideline.api.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Where the stream meets the snapshot: the stream thread's side of the chunked (DBLog-style) snapshot.
 *
 * <h2>Base</h2>
 * A table's snapshot starts with a <em>base watermark</em> (a logical decoding message at LSN P) and a base MVCC
 * snapshot S0 taken right after it. From then on every row version belongs to exactly one side: versions created by
 * transactions S0 saw come from chunks (each chunk drops rows whose {@code xmin} S0 did not see); changes of
 * transactions S0 did not see come from the stream. So the stream holds back a table's changes while it waits
 * for its base, and afterwards lets through only transactions invisible to S0 — a pure function of the
 * transaction id and the persisted S0, so a replay after a crash decides the same way.
 *
 * <h2>Chunks</h2>
 * A chunk opens a <em>window</em> before its read snapshot is taken, collects the keys of the table's changes
 * the stream delivers while it is open, and closes at the chunk's <em>watermark</em> message (LSN H), written
 * after the read. Rows whose key changed inside the window are dropped (the stream carries their newer state);
 * the rest are emitted at H as one unit at positions {@code (H, 2^32 + i)}: after every change committed before H
 * and before every change committed after it. A chunk is journaled before its first row leaves, so a replay
 * gives every sink the same rows at the same positions.
 *
 * <h2>Races</h2>
 * A transaction whose commit the stream already passed may, for an instant, still be invisible to a snapshot
 * taken afterwards (its commit record is written before it leaves the proc array; synchronous replication widens
 * that instant). A ring of recently streamed transaction ids catches it: such a base or chunk read is retried.
 */
final class StreamGate {

    /** First index of chunk rows at their watermark's LSN: above any transaction's own indexes. */
    static final long CHUNK_INDEX_BASE = 1L << 32;
    static final String PREFIX = "tideline";

    private static final Logger LOG = LoggerFactory.getLogger(StreamGate.class);
    private static final int RING = 1 << 16;
    /** How long the stream waits, at a base watermark, for the snapshot thread to hand over its MVCC snapshot. */
    private static final long SNAPSHOT_HANDOVER_MS = 30_000;
    /** A snapshot thread whose base the stream claimed waits this long for the decision, which follows the handover. */
    private static final long DECISION_TIMEOUT_MS = 2 * SNAPSHOT_HANDOVER_MS;

    /** Chunk rows ready to hand on at {@code lsn}; {@code marker} is Debezium's record of the watermark, if any. */
    record Emission(Chunk chunk, long lsn, List<Unstamped> rows, Object marker) {
        Position end() {
            return new Position(lsn, CHUNK_INDEX_BASE + Math.max(rows.size(), 1) - 1);
        }
    }

    /** Decoded rows of one chunk read, with their keys (primary key, or the whole row without one). */
    record ChunkRows(List<Unstamped> rows, List<RowKey> keys, List<String> lines, List<String> columns) {
    }

    private enum Mode { PENDING, BASED }

    private static final class TableGate {
        volatile Mode mode;
        volatile PgSnapshot base;
        volatile long baseEndLsn;
        volatile boolean basePassed;
        final List<Window> windows = new CopyOnWriteArrayList<>();
        final boolean keyed;

        TableGate(Mode mode, boolean keyed) {
            this.mode = mode;
            this.keyed = keyed;
        }
    }

    /** A chunk's open window (see the class comment). */
    final class Window {
        final Chunk chunk;
        final String key;
        final long registeredAt;
        final boolean keyed;
        private final Set<RowKey> touchedKeys = new HashSet<>();
        private final Map<RowKey, Integer> touchedRows = new HashMap<>();
        volatile ChunkRows rows;
        boolean truncated;

        Window(Chunk chunk, String key, long registeredAt, boolean keyed) {
            this.chunk = chunk;
            this.key = key;
            this.registeredAt = registeredAt;
            this.keyed = keyed;
        }

        String watermark() {
            return key;
        }
    }

    /** The snapshotter's request for a table's base; completed by both sides. */
    final class BaseRequest {
        final TableId table;
        final String key;
        private final CountDownLatch taken = new CountDownLatch(1);
        private final CountDownLatch decided = new CountDownLatch(1);
        private volatile PgSnapshot snapshot;
        private volatile long endLsn;
        private volatile String refusal;

        BaseRequest(TableId table, String key) {
            this.table = table;
            this.key = key;
        }

        void taken(PgSnapshot s, long insertLsn) {
            snapshot = s;
            endLsn = insertLsn;
            taken.countDown();
        }

        /** Null once accepted; otherwise why the base must be taken again. */
        String await(long timeoutMs) throws InterruptedException {
            if (!decided.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                // Withdraw only if the stream has not claimed the request yet: once it reached the watermark it
                // decides, and a second base taken meanwhile would hand the rows committed between the two bases
                // to both the stream (invisible to the first) and the chunks (visible to the second).
                if (baseRequests.remove(key, this)) {
                    return "the stream did not reach the base watermark within " + timeoutMs + " ms";
                }
                if (!decided.await(DECISION_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("Cannot take the base of " + table + ": the stream reached its"
                            + " watermark but did not decide on it within " + DECISION_TIMEOUT_MS + " ms.");
                }
            }
            return refusal;
        }

        private void decide(String why) {
            refusal = why;
            decided.countDown();
        }
    }

    private final SnapshotState state;
    private final ChunkJournal journal;
    private final Function<ChunkJournal.Entry, List<Unstamped>> replayDecoder;
    private final Map<TableId, TableGate> tables = new ConcurrentHashMap<>();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final Map<String, BaseRequest> baseRequests = new ConcurrentHashMap<>();
    private final Deque<ChunkJournal.Entry> replays = new ArrayDeque<>();
    private final List<Emission> unacknowledged = new ArrayList<>();
    private final Semaphore inFlight;
    private final long[] ring = new long[RING];
    private volatile long streamed;
    private long currentXid = -1;

    StreamGate(SnapshotState state, ChunkJournal journal, int maxChunksInFlight,
               Function<ChunkJournal.Entry, List<Unstamped>> replayDecoder) {
        this.state = state;
        this.journal = journal;
        this.replayDecoder = replayDecoder;
        this.inFlight = new Semaphore(maxChunksInFlight);
    }

    /** Sets up the gates of the persisted tables and the journal replays above {@code floor}. */
    void start(Position floor, Map<TableId, Boolean> keyedTables) {
        for (SnapshotState.TableEntry e : state.entries()) {
            TableId t = e.id();
            boolean keyed = keyedTables.getOrDefault(t, true);
            if (e.status == SnapshotState.Status.PENDING) {
                tables.put(t, new TableGate(Mode.PENDING, keyed));
            } else if (e.baseSnapshot != null && !(e.status == SnapshotState.Status.CAPTURED
                    && Long.compareUnsigned(floor.commitLsn(), e.baseEndLsn) > 0)) {
                // a captured table whose base the acknowledged position passed lets everything through: not gated
                TableGate g = new TableGate(Mode.BASED, keyed);
                g.base = PgSnapshot.parse(e.baseSnapshot);
                g.baseEndLsn = e.baseEndLsn;
                tables.put(t, g);
            }
        }
        for (ChunkJournal.Entry entry : journal.readAll()) {
            if (new Position(entry.lsn(), CHUNK_INDEX_BASE + Math.max(entry.lines().size(), 1) - 1).isAtOrBefore(floor)) {
                // acknowledged before the crash, only its clean-up was lost
                completed(entry.chunk(), entry.lines().size());
                journal.delete(entry.chunk());
            } else {
                replays.add(entry);
            }
        }
        if (!replays.isEmpty()) {
            LOG.info("Replaying {} journaled snapshot chunks at their original positions", replays.size());
        }
    }

    /** Chunks journaled before a crash, still to replay: they must not be read again. */
    Set<String> journaledChunks() {
        Set<String> keys = new HashSet<>();
        for (ChunkJournal.Entry e : replays) keys.add(e.chunk().key());
        return keys;
    }

    /** Holds back the table's changes until its base is taken (a snapshot asked for it). */
    void pending(TableId table, boolean keyed) {
        tables.put(table, new TableGate(Mode.PENDING, keyed));
    }

    // ---------------------------------------------------------------- stream thread

    void begin(long xid) {
        currentXid = xid;
    }

    /** A transaction ended: its id joins the ring; tables whose base the stream passed stop filtering. */
    void committed(long commitLsn) {
        if (currentXid >= 0) {
            ring[(int) (streamed & (RING - 1))] = currentXid;
            streamed = streamed + 1;
        }
        currentXid = -1;
        for (TableGate g : tables.values()) {
            if (g.mode == Mode.BASED && !g.basePassed && Long.compareUnsigned(commitLsn, g.baseEndLsn) > 0) {
                g.basePassed = true;
            }
        }
    }

    /** Whether any table is gated; when none is, a change needs no look at its table at all. */
    boolean gating() {
        return !tables.isEmpty();
    }

    /** Whether a change of the current transaction to {@code table} goes to the pipeline. */
    boolean admits(TableId table) {
        TableGate g = tables.get(table);
        if (g == null) return true;
        if (g.mode == Mode.PENDING) return false;
        return g.basePassed || currentXid < 0 || !g.base.sees(currentXid);
    }

    /** Whether changes to {@code table} must report their keys ({@link #touched}). */
    boolean watching(TableId table) {
        TableGate g = tables.get(table);
        return g != null && !g.windows.isEmpty();
    }

    /** Whether the table is keyed as far as windows are concerned. */
    boolean keyed(TableId table) {
        TableGate g = tables.get(table);
        return g == null || g.keyed;
    }

    /** A delivered change touched this key (keyed table) or this old row image (table without a key). */
    void touched(TableId table, RowKey key) {
        TableGate g = tables.get(table);
        if (g == null || key == null) return;
        for (Window w : g.windows) {
            synchronized (w) {
                if (w.keyed) w.touchedKeys.add(key);
                else w.touchedRows.merge(key, 1, Integer::sum);
            }
        }
    }

    /** A delivered TRUNCATE of the table: every row of its open windows is gone, so the stream carries what follows. */
    void truncated(TableId table) {
        TableGate g = tables.get(table);
        if (g == null) return;
        for (Window w : g.windows) {
            synchronized (w) {
                w.truncated = true;
            }
        }
    }

    /** Journaled chunks due before a transaction committed at {@code commitLsn}. */
    List<Emission> dueBefore(long commitLsn) {
        return due(commitLsn, false);
    }

    /**
     * A logical decoding message at {@code lsn}: a base or chunk watermark of this process (or of a previous one,
     * then ignored). Returns what to emit at this point: due journal replays and the closed chunk, if any.
     */
    List<Emission> onMessage(String content, long lsn, Object record) throws InterruptedException {
        List<Emission> out = due(lsn, true);
        BaseRequest base = baseRequests.remove(content);
        if (base != null) {
            decideBase(base, lsn);
            return out;
        }
        Window w = windows.remove(content);
        if (w == null) return out;
        TableGate g = tables.get(w.chunk.table());
        if (g != null) g.windows.remove(w);
        ChunkRows rows = w.rows;
        if (rows == null) {
            LOG.warn("Watermark of chunk {} arrived before its rows; the chunk is read again", w.chunk.key());
            inFlight.release();
            return out;
        }
        List<Unstamped> keep = new ArrayList<>(rows.rows().size());
        List<String> lines = new ArrayList<>(rows.rows().size());
        int dropped = 0;
        synchronized (w) {
            for (int i = 0; i < rows.rows().size(); i++) {
                RowKey k = rows.keys().get(i);
                boolean drop;
                if (w.truncated) {
                    drop = true;
                } else if (w.keyed) {
                    drop = w.touchedKeys.contains(k);
                } else {
                    Integer n = w.touchedRows.get(k);
                    drop = n != null && n > 0;
                    if (drop) w.touchedRows.put(k, n - 1);
                }
                if (drop) {
                    dropped++;
                } else {
                    keep.add(rows.rows().get(i));
                    lines.add(rows.lines().get(i));
                }
            }
        }
        if (dropped > 0) {
            LOG.debug("Chunk {}: {} rows changed while it was read arrive through the stream instead", w.chunk.key(), dropped);
        }
        if (!keep.isEmpty()) journal.write(w.chunk, lsn, lines, rows.columns());
        Emission e = new Emission(w.chunk, lsn, keep, record);
        inFlight.release();
        if (keep.isEmpty()) {
            completed(w.chunk, 0); // nothing to replay: a re-read would find nothing either
        } else {
            synchronized (unacknowledged) {
                unacknowledged.add(e);
            }
        }
        out.add(e);
        return out;
    }

    private List<Emission> due(long lsn, boolean inclusive) {
        List<Emission> out = new ArrayList<>();
        if (replays.isEmpty()) return out;
        while (!replays.isEmpty()) {
            ChunkJournal.Entry next = replays.peekFirst();
            int c = Long.compareUnsigned(next.lsn(), lsn);
            if (c > 0 || (c == 0 && !inclusive)) break;
            replays.pollFirst();
            Emission e = new Emission(next.chunk(), next.lsn(), replayDecoder.apply(next), null);
            synchronized (unacknowledged) {
                unacknowledged.add(e);
            }
            out.add(e);
        }
        return out;
    }

    private void decideBase(BaseRequest req, long lsn) throws InterruptedException {
        if (!req.taken.await(SNAPSHOT_HANDOVER_MS, TimeUnit.MILLISECONDS)) {
            req.decide("the base snapshot was not taken within " + SNAPSHOT_HANDOVER_MS / 1000 + " s of its watermark");
            return;
        }
        String raced = raced(req.snapshot, 0);
        if (raced != null) {
            req.decide("transaction " + raced + " was streamed before the watermark but not yet visible to the base snapshot");
            return;
        }
        TableGate g = tables.computeIfAbsent(req.table, t -> new TableGate(Mode.PENDING, true));
        SnapshotState.TableEntry e = state.get(req.table);
        synchronized (state) {
            if (e == null) e = state.put(req.table, SnapshotState.Status.SNAPSHOTTING);
            e.status = SnapshotState.Status.SNAPSHOTTING;
            e.baseLsn = lsn;
            e.baseEndLsn = req.endLsn;
            e.baseSnapshot = req.snapshot.text();
            e.startedAtMs = System.currentTimeMillis();
        }
        state.save();
        g.base = req.snapshot;
        g.baseEndLsn = req.endLsn;
        g.basePassed = false;
        g.mode = Mode.BASED;
        req.decide(null);
    }

    // ---------------------------------------------------------------- snapshot threads

    BaseRequest requestBase(TableId table) {
        BaseRequest r = new BaseRequest(table, "b\t" + table + "\t" + java.util.UUID.randomUUID());
        baseRequests.put(r.key, r);
        return r;
    }

    PgSnapshot base(TableId table) {
        TableGate g = tables.get(table);
        return g == null || g.mode != Mode.BASED ? null : g.base;
    }

    /** Opens a chunk's window (before its read snapshot is taken); blocks while too many chunks are in flight. */
    Window open(Chunk chunk, int attempt) throws InterruptedException {
        inFlight.acquire();
        TableGate g = tables.get(chunk.table());
        if (g == null || g.mode != Mode.BASED) {
            inFlight.release();
            throw new IllegalStateException("Cannot read chunk " + chunk.key() + ": its table has no base snapshot.");
        }
        Window w = new Window(chunk, "w\t" + chunk.key() + "@" + attempt + "\t" + java.util.UUID.randomUUID(), streamed, g.keyed);
        windows.put(w.key, w);
        g.windows.add(w);
        return w;
    }

    /**
     * Gives up a window whose read failed; false when the stream already reached its watermark and took the chunk
     * (the watermark got out before the failure), which then must not be read again.
     */
    boolean abandon(Window w) {
        if (windows.remove(w.key) == null) return false;
        TableGate g = tables.get(w.chunk.table());
        if (g != null) g.windows.remove(w);
        inFlight.release();
        return true;
    }

    /** Null, or the id of a transaction streamed before the window opened that the read snapshot did not see. */
    String racedBefore(Window w, PgSnapshot read) {
        return raced(read, w.registeredAt);
    }

    private String raced(PgSnapshot s, long before) {
        if (s.xip().isEmpty()) return null;
        long end = before > 0 ? before : streamed;
        long start = Math.max(0, streamed - RING);
        for (long i = start; i < end; i++) {
            long xid = ring[(int) (i & (RING - 1))];
            if (s.inProgress(xid)) return Long.toString(xid);
        }
        return null;
    }

    // ---------------------------------------------------------------- acknowledgement

    /** Chunks whose rows are all at or before {@code durable} are done: state saved, journal entries removed. */
    void acknowledged(Position durable) {
        List<Emission> done = new ArrayList<>();
        synchronized (unacknowledged) {
            unacknowledged.removeIf(e -> {
                if (e.end().isAtOrBefore(durable)) {
                    done.add(e);
                    return true;
                }
                return false;
            });
        }
        if (done.isEmpty()) return;
        for (Emission e : done) completed(e.chunk(), e.rows().size(), false);
        state.save();
        for (Emission e : done) journal.delete(e.chunk());
    }

    private void completed(Chunk chunk, int rows) {
        completed(chunk, rows, true);
    }

    private void completed(Chunk chunk, int rows, boolean save) {
        SnapshotState.TableEntry e = state.get(chunk.table());
        if (e == null) return;
        synchronized (state) {
            boolean removed = e.open.removeIf(c -> c.id == chunk.id());
            if (removed) {
                e.chunksDone++;
                e.rowsEmitted += rows;
            }
            if (e.allPlanned && e.open.isEmpty() && e.status == SnapshotState.Status.SNAPSHOTTING) {
                e.status = SnapshotState.Status.CAPTURED;
                e.finishedAtMs = System.currentTimeMillis();
                LOG.info("Snapshot of {} finished: {} rows in {} chunks", chunk.table(), e.rowsEmitted, e.chunksDone);
            }
        }
        if (save) state.save();
    }
}
