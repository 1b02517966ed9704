package io.tideline.source;

import io.tideline.api.Position;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What acknowledging may commit, in stream order: one marker per transaction or snapshot chunk handed on, each with
 * the Debezium record (END marker or chunk watermark) whose offset committing moves the slot. The stream thread
 * adds; the acknowledging thread takes.
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

    synchronized void add(Position position, R record) {
        markers.addLast(new Marker<>(position, record));
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
