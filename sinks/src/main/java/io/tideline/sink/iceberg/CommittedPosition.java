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

    /**
     * Reads the fence from the table's current state (call {@code table.refresh()} first for the latest): the higher
     * of the newest summary in the ancestry and the table property written in the same commit. The property survives
     * maintenance by other tools that leaves no summary behind (a rewrite, then expiring every older snapshot).
     */
    public static CommittedPosition of(Table table) {
        CommittedPosition fromSummary = NONE;
        for (Snapshot s : SnapshotUtil.currentAncestors(table)) {
            String p = s.summary() == null ? null : s.summary().get(SummaryKeys.POSITION);
            if (p != null) {
                fromSummary = parse(p, s.summary().get(SummaryKeys.EPOCH));
                break;
            }
        }
        String p = table.properties().get(SummaryKeys.POSITION);
        CommittedPosition fromProperty = p == null ? NONE : parse(p, table.properties().get(SummaryKeys.EPOCH));
        if (fromProperty.position == null) return fromSummary;
        if (fromSummary.position == null) return fromProperty;
        return fromProperty.position.isAfter(fromSummary.position) ? fromProperty : fromSummary;
    }

    private static CommittedPosition parse(String position, String epoch) {
        return new CommittedPosition(Position.parse(position), epoch == null ? -1 : Long.parseLong(epoch));
    }

    /** True when a change at {@code p} is already in the table. */
    public boolean holds(Position p) {
        return position != null && p.isAtOrBefore(position);
    }
}
