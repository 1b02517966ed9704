package io.tideline.source;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;

/** A converted change still waiting for its position (known once its transaction's commit LSN is). */
record Unstamped(TableId table, Op op, Row key, Row before, Row after, Row source, long commitTimeMs) {

    ChangeEvent stamp(Position position, boolean lastInTransaction) {
        return new ChangeEvent(table, op, key, before, after, source, position, commitTimeMs, lastInTransaction);
    }
}
