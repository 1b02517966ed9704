package io.tideline.microbatch;

import io.tideline.api.Row;
import io.tideline.api.Unchanged;

/** Fills the {@link Unchanged} values of a later row image from an earlier image of the same key. */
final class UnchangedMerge {

    private UnchangedMerge() {
    }

    /** {@code later} with every {@link Unchanged#VALUE} replaced by the same-named value of {@code earlier}, if known. */
    static Row fill(Row later, Row earlier) {
        if (later == null || earlier == null) return later;
        Object[] values = null;
        for (int i = 0; i < later.size(); i++) {
            if (later.get(i) != Unchanged.VALUE) continue;
            int j = earlier.indexOf(later.name(i));
            if (j < 0 || earlier.get(j) == Unchanged.VALUE) continue;
            if (values == null) {
                values = new Object[later.size()];
                for (int k = 0; k < values.length; k++) values[k] = later.get(k);
            }
            values[i] = earlier.get(j);
        }
        return values == null ? later : new Row(later.schema(), values);
    }
}
