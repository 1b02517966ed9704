package io.tideline.daemon.verify;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What verify found for one sink's copy of one table: counts of each kind of difference and a few examples. */
final class TableReport {

    final String id;
    final String table;
    final String sink;
    /** What {@link #compared} counts: rows compared by key, or records checked for order where there is no key. */
    String unit = "rows compared";
    final List<String> examples = new ArrayList<>();
    long compared;
    long missing;
    long extra;
    long different;
    long problems;
    String note;
    private final int maxExamples;

    TableReport(String id, String table, String sink, int maxExamples) {
        this.id = id;
        this.table = table;
        this.sink = sink;
        this.maxExamples = maxExamples;
    }

    boolean equal() {
        return missing == 0 && extra == 0 && different == 0 && problems == 0;
    }

    void problems(int count, List<String> what) {
        problems += count;
        what.forEach(this::example);
    }

    /** Compares rows by key; a column the sink does not hold, or holds as "unchanged", is not a difference. */
    void compare(SourceTable source, Map<List<String>, Map<String, String>> sinkRows) {
        Set<List<String>> seen = new HashSet<>();
        for (var e : source.rows().entrySet()) {
            compared++;
            Map<String, String> theirs = sinkRows.get(e.getKey());
            if (theirs == null) {
                missing++;
                example("key " + e.getKey() + " is in PostgreSQL, not in " + sink);
                continue;
            }
            seen.add(e.getKey());
            for (var column : e.getValue().entrySet()) {
                String value = theirs.get(column.getKey());
                if (value == null || value.equals(Canonical.UNCHANGED) || value.equals(column.getValue())
                        || Canonical.documentedLoss(column.getValue(), value)) {
                    continue;
                }
                different++;
                example("key " + e.getKey() + " column " + column.getKey() + ": PostgreSQL " + abbreviate(column.getValue())
                        + ", " + sink + " " + abbreviate(value));
                break;
            }
        }
        for (List<String> key : sinkRows.keySet()) {
            if (!seen.contains(key) && !source.rows().containsKey(key)) {
                extra++;
                example("key " + key + " is in " + sink + ", not in PostgreSQL");
            }
        }
    }

    private void example(String what) {
        if (examples.size() < maxExamples) examples.add(what);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? "'" + s + "'" : "'" + s.substring(0, 80) + "…' (" + s.length() + " chars)";
    }

    String summary() {
        if (note != null) return note;
        StringBuilder b = new StringBuilder(equal() ? "equal" : "DIFFERENT");
        b.append(" (").append(compared).append(" ").append(unit);
        if (missing > 0) b.append(", ").append(missing).append(" missing");
        if (extra > 0) b.append(", ").append(extra).append(" extra");
        if (different > 0) b.append(", ").append(different).append(" with other values");
        if (problems > 0) b.append(", ").append(problems).append(" duplicate or out-of-order");
        return b.append(")").toString();
    }
}
