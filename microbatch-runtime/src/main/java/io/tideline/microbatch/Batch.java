package io.tideline.microbatch;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Row;
import io.tideline.api.TableId;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Predicate;

/**
 * The changes of one micro-batch, in source order. For tables whose sink keeps the last change per key, a later
 * change of a key replaces the earlier one and moves to the later one's place, so the batch stays in position
 * order; its {@link io.tideline.api.Unchanged} values are filled from the earlier image.
 */
final class Batch {

    /** A truncate splits collapsing: a change after it must not merge with one before it. */
    private record CollapseKey(long generation, TableId table, Row key) {
    }

    private final Predicate<TableId> keepLastPerKey;
    private final LinkedHashMap<Object, ChangeEvent> changes = new LinkedHashMap<>();
    private long generation;
    private long epoch = -1;
    private long firstChangeNanos;
    private int received;
    private long receivedBytes;

    Batch(Predicate<TableId> keepLastPerKey) {
        this.keepLastPerKey = keepLastPerKey;
    }

    void add(ChangeEvent event, long epoch) {
        if (received++ == 0) firstChangeNanos = System.nanoTime();
        receivedBytes += event.approxBytes();
        this.epoch = epoch;
        if (event.op() == Op.TRUNCATE) generation++;
        if (event.key() == null || event.op() == Op.TRUNCATE || !keepLastPerKey.test(event.table())) {
            changes.put(event.position(), event);
            return;
        }
        CollapseKey key = new CollapseKey(generation, event.table(), event.key());
        ChangeEvent earlier = changes.remove(key);
        if (earlier != null && earlier.after() != null && event.after() != null) {
            event = event.withRows(event.before(), UnchangedMerge.fill(event.after(), earlier.after()));
        }
        changes.put(key, event);
    }

    /** Changes to hand to the sink, in position order. */
    List<ChangeEvent> changes() {
        return new ArrayList<>(changes.values());
    }

    int size() {
        return changes.size();
    }

    /** How many changes were added, before collapsing: what the size trigger counts. */
    int received() {
        return received;
    }

    /** Bytes of the changes added, before collapsing: what the byte trigger counts. */
    long receivedBytes() {
        return receivedBytes;
    }

    boolean isEmpty() {
        return received == 0;
    }

    long epoch() {
        return epoch;
    }

    void epoch(long epoch) {
        this.epoch = epoch;
    }

    long firstChangeNanos() {
        return firstChangeNanos;
    }
}
