package io.tideline.sink.iceberg;

import io.tideline.api.Position;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * What a table already holds: the {@code tideline.position} and {@code tideline.epoch} of the newest snapshot in the
 * current ancestry that carries them. The fence that makes replays write nothing twice.
 *
 * @param position null when no Tideline commit is in the ancestry
 * @param epoch    -1 when unknown
 */
public record CommittedPosition(Position position, long epoch) {

    public static final CommittedPosition NONE = new CommittedPosition(null, -1);

    /** Reads the fence from the table's current state (call {@code table.refresh()} first for the latest). */
    public static CommittedPosition of(Table table) {
        for (Snapshot s : SnapshotUtil.currentAncestors(table)) {
            String p = s.summary() == null ? null : s.summary().get(SummaryKeys.POSITION);
            if (p != null) {
                String e = s.summary().get(SummaryKeys.EPOCH);
                return new CommittedPosition(Position.parse(p), e == null ? -1 : Long.parseLong(e));
            }
        }
        return NONE;
    }

    /** True when a change at {@code p} is already in the table. */
    public boolean holds(Position p) {
        return position != null && p.isAtOrBefore(position);
    }
}
