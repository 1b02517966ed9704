package io.tideline.source;

import io.tideline.api.TableId;

import java.util.List;

/**
 * A slice of a table read at once: primary-key values in {@code (lower, upper]} (text output of each key column),
 * or for a table without a primary key the heap pages {@code [lower, upper)}. A null bound is open.
 */
record Chunk(TableId table, long id, List<String> lower, List<String> upper) {

    /** Stable name, also the watermark's text: {@code <schema>.<table>#<id>}. */
    String key() {
        return table + "#" + id;
    }
}
