package io.tideline.sink.iceberg;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.Unchanged;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pure part of a table batch: fence, keep-last per key, and filling unchanged TOAST values from what the
 * batch itself knows. Iceberg is not touched here, so every rule has a unit test.
 */
final class BatchPlan {

    private BatchPlan() {
    }

    /** The changes the table does not hold yet, in order. */
    static List<ChangeEvent> afterFence(List<ChangeEvent> pending, CommittedPosition fence) {
        List<ChangeEvent> out = new ArrayList<>(pending.size());
        for (ChangeEvent e : pending) {
            if (!fence.holds(e.position())) out.add(e);
        }
        return out;
    }

    /** The changes after the last TRUNCATE (which empties the table), or all when there is none. */
    static List<ChangeEvent> afterLastTruncate(List<ChangeEvent> changes) {
        for (int i = changes.size() - 1; i >= 0; i--) {
            if (changes.get(i).op() == Op.TRUNCATE) return changes.subList(i + 1, changes.size());
        }
        return changes;
    }

    static boolean hasTruncate(List<ChangeEvent> changes) {
        for (ChangeEvent e : changes) {
            if (e.op() == Op.TRUNCATE) return true;
        }
        return false;
    }

    /**
     * One change per key, the last one, ordered by that change's position. An unchanged TOAST value in a later
     * image is taken from the change's own before image (REPLICA IDENTITY FULL) or the earlier image of the key.
     * Changes without a key are all kept.
     */
    static List<ChangeEvent> keepLastPerKey(List<ChangeEvent> changes) {
        Map<Object, ChangeEvent> last = new LinkedHashMap<>();
        int keyless = 0;
        for (ChangeEvent e : changes) {
            if (e.op() == Op.TRUNCATE) continue;
            List<Object> key = keyOf(e);
            if (key == null) {
                last.put(new Object[]{keyless++}, e);
                continue;
            }
            ChangeEvent previous = last.remove(key);
            last.put(key, withResolvedAfter(e, previous == null ? null : previous.after()));
        }
        return new ArrayList<>(last.values());
    }

    /** Every change (append mode), with unchanged TOAST values filled from earlier changes of the same key. */
    static List<ChangeEvent> fillWithinBatch(List<ChangeEvent> changes) {
        Map<List<Object>, Row> latest = new HashMap<>();
        List<ChangeEvent> out = new ArrayList<>(changes.size());
        for (ChangeEvent e : changes) {
            if (e.op() == Op.TRUNCATE) {
                // a changelog records it as a row of its own (op t, no values); no earlier image survives it
                out.add(e);
                latest.clear();
                continue;
            }
            List<Object> key = keyOf(e);
            ChangeEvent resolved = withResolvedAfter(e, key == null ? null : latest.get(key));
            if (key != null) {
                if (resolved.after() != null) latest.put(key, resolved.after());
                else latest.remove(key);
            }
            out.add(resolved);
        }
        return out;
    }

    private static ChangeEvent withResolvedAfter(ChangeEvent e, Row earlier) {
        if (e.after() == null || !hasUnchanged(e.after())) return e;
        Row filled = fill(fill(e.after(), e.before()), earlier);
        return filled == e.after() ? e : e.withRows(e.before(), filled);
    }

    static boolean hasUnchanged(Row row) {
        if (row == null) return false;
        for (int i = 0; i < row.size(); i++) {
            if (row.get(i) == Unchanged.VALUE) return true;
        }
        return false;
    }

    /** {@code later} with each unchanged value replaced by the same field of {@code earlier}, when it has a real one. */
    static Row fill(Row later, Row earlier) {
        if (later == null || earlier == null || !hasUnchanged(later)) return later;
        Object[] values = new Object[later.size()];
        boolean changed = false;
        for (int i = 0; i < later.size(); i++) {
            Object v = later.get(i);
            if (v == Unchanged.VALUE) {
                int j = earlier.indexOf(later.name(i));
                if (j >= 0 && earlier.get(j) != Unchanged.VALUE) {
                    v = earlier.get(j);
                    changed = true;
                }
            }
            values[i] = v;
        }
        return changed ? new Row(later.schema(), values) : later;
    }

    /** The primary key values of a change (byte arrays wrapped so they compare by content), or null without a key. */
    static List<Object> keyOf(ChangeEvent e) {
        Row key = e.key();
        if (key == null || key.size() == 0) return null;
        List<Object> values = new ArrayList<>(key.size());
        for (int i = 0; i < key.size(); i++) {
            Object v = key.get(i);
            values.add(v instanceof byte[] b ? ByteBuffer.wrap(b) : v);
        }
        return values;
    }

    /** The highest position among {@code changes}, or null when empty. */
    static Position highest(List<ChangeEvent> changes) {
        Position max = null;
        for (ChangeEvent e : changes) max = Position.max(max, e.position());
        return max;
    }
}
