package io.tideline.source;

import io.tideline.api.Position;

import java.util.function.Consumer;

/**
 * Gives each change its {@link Position} = (commit LSN of its transaction, index inside it).
 *
 * <p>Debezium stamps a streamed change with the <em>previous</em> transaction's commit LSN; the current one is
 * only known when the transaction's END marker arrives. pgoutput sends a transaction only once it committed,
 * so holding its changes until END costs no latency: they are buffered, then stamped 0..n-1 and emitted with
 * the last one flagged. A snapshot chunk arrives whole at its watermark and is emitted at once, at the positions
 * {@link StreamGate} gives it. A transaction too large for memory spills to disk (see {@link TransactionBuffer}).
 *
 * <p>Anything at or before the {@linkplain #floor() floor} is dropped: the floor starts at the last
 * acknowledged position and follows every emitted change, so a replay by Debezium (after a task restart or
 * from an older stored offset) never reaches the handler twice.
 *
 * <p>Not thread-safe: driven by the engine's polling thread only.
 *
 * @param <T> the unstamped change
 */
final class PositionStamper<T> {

    /** Receives stamped changes in position order. */
    interface Emitter<T> {
        void emit(T change, Position position, boolean lastInTransaction) throws InterruptedException;
    }

    private static final Consumer<Position> NOTHING = p -> { };

    private final Emitter<T> emitter;
    private final TransactionBuffer<T> transaction;
    private Position floor;

    PositionStamper(Emitter<T> emitter, Position floor, TransactionBuffer<T> buffer) {
        this.emitter = emitter;
        this.floor = floor == null ? Position.ZERO : floor;
        this.transaction = buffer;
    }

    /** Highest position emitted or acknowledged before this run. */
    Position floor() {
        return floor;
    }

    /**
     * Rows of a snapshot chunk emitted at {@code lsn}, indexes from {@code firstIndex}, the last one flagged as
     * ending its unit. Returns the position of the last row emitted, or null.
     */
    Position chunk(long lsn, long firstIndex, java.util.List<T> rows, Consumer<Position> beforeLast)
            throws InterruptedException {
        Position last = null;
        for (int i = 0; i < rows.size(); i++) {
            Position p = new Position(lsn, firstIndex + i);
            if (emitIfNew(rows.get(i), p, i == rows.size() - 1, beforeLast)) last = p;
        }
        return last;
    }

    /** Moves the floor to {@code p} (a heartbeat) when it is past it; false for a heartbeat already passed. */
    boolean passTo(Position p) {
        if (p.isAtOrBefore(floor)) return false;
        floor = p;
        return true;
    }

    /** A streamed change of the open transaction; held until {@link #commit}. */
    void change(T change) {
        transaction.add(change);
    }

    /** Changes buffered for the open transaction. */
    int buffered() {
        return transaction.size();
    }

    /**
     * The open transaction committed at {@code commitLsn}: emits its changes. Returns the position of its last
     * change when at least one was emitted, else null (empty, or a replay of what was already delivered).
     */
    Position commit(long commitLsn) throws InterruptedException {
        return commit(commitLsn, NOTHING);
    }

    /**
     * As {@link #commit(long)}, telling {@code beforeLast} the position of the transaction's last change before
     * that change is emitted: whoever receives it may acknowledge it at once, and what the acknowledgement commits
     * must be registered by then (registered after, the acknowledgement found nothing and was dropped).
     */
    Position commit(long commitLsn, Consumer<Position> beforeLast) throws InterruptedException {
        Position[] last = {null};
        transaction.drain((change, index, isLast) -> {
            Position p = new Position(commitLsn, index);
            if (emitIfNew(change, p, isLast, beforeLast)) {
                last[0] = p;
            }
        });
        return last[0];
    }

    /** Drops a transaction that will never commit here (engine restart mid-transaction). */
    void discardOpenTransaction() {
        transaction.clear();
    }

    private boolean emitIfNew(T change, Position p, boolean lastInTransaction, Consumer<Position> beforeLast)
            throws InterruptedException {
        if (p.isAtOrBefore(floor)) {
            return false;
        }
        if (lastInTransaction) beforeLast.accept(p);
        emitter.emit(change, p, lastInTransaction);
        floor = p;
        return true;
    }
}
