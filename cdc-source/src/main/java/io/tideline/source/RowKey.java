package io.tideline.source;

import io.tideline.api.Row;

import java.util.Arrays;

/** A row's values compared by content (arrays included): how a chunk row and a streamed change meet. */
record RowKey(Object[] values) {

    static RowKey of(Row row) {
        Object[] v = new Object[row.size()];
        for (int i = 0; i < v.length; i++) v[i] = row.get(i);
        return new RowKey(v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey k && Arrays.deepEquals(values, k.values);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        return Arrays.deepToString(values);
    }
}
