package io.tideline.source;

import io.tideline.api.Position;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What acknowledging may commit, in stream order: the last change of a transaction or snapshot chunk handed on,
 * each with the Debezium record (END marker or chunk watermark) whose offset committing moves the slot. The stream
 * thread adds; the acknowledging thread takes.
 *
 * <p>A marker or two per epoch, not one per transaction: an acknowledgement names an epoch's end, and an epoch ends
 * at the last change handed on before its cut ({@link #cut}). So a marker no cut can reach any more is dropped (5
 * minutes at 5k transactions/s would otherwise hold 1.5M Debezium records until the epoch commits). An
 * acknowledgement of a position between cuts (a sink holding back) takes the latest marker kept before it: it
 * acknowledges less than it could, never more.
 *
 * @param <R> Debezium's record type
 */
final class AckMarkers<R> {

    /**
     * The last change of a transaction or chunk, and the latest Debezium record at or before it; null for a replayed
     * chunk, which moves only Tideline's own acknowledged position.
     */
    record Marker<R>(Position position, R record) {
    }

    private final Deque<Marker<R>> markers = new ArrayDeque<>();
    private Position cutAt = Position.ZERO;

    /**
     * A transaction or chunk ends at {@code position}; called just before its last change is handed on, so that an
     * acknowledgement of that change finds it. Until then a cut may still land on the previous marker (the runtime's
     * timer cuts between transactions), so the tail is kept; the one before it is dropped unless a cut reached it.
     */
    synchronized void add(Position position, R record) {
        if (markers.size() >= 2) {
            Marker<R> tail = markers.pollLast();
            Marker<R> before = markers.peekLast();
            if (before.position().isAfter(cutAt)) {
                // no epoch can end there any more: every later cut comes at the tail or after it
                markers.pollLast();
                if (tail.record() == null) tail = new Marker<>(tail.position(), before.record());
            }
            markers.addLast(tail);
        }
        markers.addLast(new Marker<>(position, record));
    }

    /** An epoch ended at {@code end}: the marker there (added before or after this call) is kept. */
    synchronized void cut(Position end) {
        if (end.isAfter(cutAt)) cutAt = end;
    }

    /** Markers held; at most two per epoch not yet acknowledged, plus two. */
    synchronized int size() {
        return markers.size();
    }

    /** Removes every marker at or before {@code durable}: the last one's position and the latest record among them. */
    synchronized Marker<R> takeUpTo(Position durable) {
        Marker<R> last = null;
        R record = null;
        while (!markers.isEmpty() && markers.peekFirst().position().isAtOrBefore(durable)) {
            last = markers.pollFirst();
            if (last.record() != null) record = last.record();
        }
        return last == null ? null : new Marker<>(last.position(), record);
    }
}
