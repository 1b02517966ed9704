package io.tideline.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.TableId;

/**
 * The operators configured for one source table, applied in this order: row filter (on the source columns, so a
 * filter may use a column that is then dropped or masked), masking and include/exclude, then routing.
 */
final class TableOperators {

    private final RowFilter filter;  // null: keep all
    private final RowShaper shaper;  // null: unchanged
    private final TableId route;     // null: same table

    TableOperators(RowFilter filter, RowShaper shaper, TableId route) {
        this.filter = filter;
        this.shaper = shaper == null || shaper.isNoOp() ? null : shaper;
        this.route = route;
    }

    /** The transformed change, or null when the filter drops it. */
    ChangeEvent apply(ChangeEvent e) {
        if (filter != null && !filter.test(e.image())) return null;
        ChangeEvent out = e;
        if (shaper != null) {
            out = new ChangeEvent(e.table(), e.op(), shaper.shapeKey(e.key()), shaper.shape(e.before(), e.key()),
                    shaper.shape(e.after(), e.key()), e.source(), e.position(), e.commitTimeMs(), e.lastInTransaction());
        }
        if (route != null) out = out.withTable(route);
        return out;
    }

    @Override
    public String toString() {
        return "filter=" + filter + ", route=" + route;
    }
}
