package io.tideline.bench.kafka;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints the markdown result table and the target ratios, computed from this run's figures only. */
final class Report {
    private Report() {
    }

    static String render(BenchOptions o, Map<String, PathResult> results, String loadBefore, String loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n## Postgres → Kafka: scheduled send → consumer receives%n%n"));
        sb.append(String.format(Locale.ROOT, "%d single-row tx/s, open loop, %d s warm-up excluded, %d s measured;"
                        + " bulk: %,d rows in transactions of %,d, inserted before capture starts, %d round(s) per path.%n%n",
                o.rate, o.warmup.toSeconds(), o.duration.toSeconds(), o.bulkRows, o.bulkTxRows, o.bulkRounds));
        sb.append("| path | p50 | p99 | p99.9 | max | duplicates | missing | bulk rows/s |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (String key : List.of("tideline", "baseline", "floor", "engine")) {
            PathResult r = results.get(key);
            if (r == null) {
                continue;
            }
            PathResult.Latency l = r.latency;
            String na = key.equals("engine") ? "–" : "failed";
            sb.append("| ").append(r.label).append(" | ")
                    .append(l == null ? na : ms(l.p50())).append(" | ")
                    .append(l == null ? na : ms(l.p99())).append(" | ")
                    .append(l == null ? na : ms(l.p999())).append(" | ")
                    .append(l == null ? na : ms(l.max())).append(" | ")
                    .append(l == null ? "–" : Long.toString(l.duplicates())).append(" | ")
                    .append(l == null ? "–" : l.missing() + " of " + l.sent()).append(" | ")
                    .append(bulk(r)).append(" |\n");
        }
        sb.append('\n');
        PathResult t = results.get("tideline");
        PathResult b = results.get("baseline");
        PathResult f = results.get("floor");
        PathResult e = results.get("engine");
        sb.append(ratio("baseline p99 / Tideline p99", p99(b), p99(t), 10, true));
        sb.append(ratio("Tideline p99 / floor p99", p99(t), p99(f), 3, false));
        sb.append(ratio("Tideline bulk / Debezium-engine bulk", bulkRate(t), bulkRate(e), 0.9, true));
        sb.append(exactness(t));
        sb.append('\n');
        for (PathResult r : results.values()) {
            if (r.latencyError != null) {
                sb.append("- ").append(r.label).append(", latency run failed: ").append(r.latencyError).append('\n');
            }
            if (r.bulkError != null) {
                sb.append("- ").append(r.label).append(", bulk run failed: ").append(r.bulkError).append('\n');
            }
        }
        sb.append("\nWorst latency per second of the measured window (ms), by scheduled second:\n\n");
        for (PathResult r : results.values()) {
            if (r.latency != null) {
                sb.append("- ").append(r.key).append(": ").append(perSecond(r.latency.worstPerSecond()))
                        .append(String.format(Locale.ROOT, " (generator fell behind schedule by at most %s)",
                                ms(r.latency.generatorMaxBehindMicros())))
                        .append('\n');
            }
        }
        for (PathResult r : results.values()) {
            if (r.bulkRuns.size() > 1) {
                sb.append("- bulk rows/s of each round, ").append(r.key).append(": ").append(r.bulkRuns.stream()
                        .map(run -> String.format(Locale.ROOT, "%,.0f", run.rowsPerSecond()))
                        .collect(java.util.stream.Collectors.joining(", "))).append('\n');
            }
        }
        sb.append("\nBulk rows/s is the median of the rounds (missing rows and duplicates are summed over all of them),"
                + " each measured from the first to the last row delivered — for Kafka paths the broker's"
                + " append time (LogAppendTime) of the first and last record, with no consumer running while the path"
                + " writes; for the engine alone, when its consumer was handed the row; in brackets, from the start"
                + " of capture (includes start-up). Each path runs a discarded warm-up bulk first; the rounds then interleave the paths.\n");
        sb.append("\nLoad before: `").append(loadBefore).append("`  \nLoad after:  `").append(loadAfter).append("`\n");
        return sb.toString();
    }

    private static Double p99(PathResult r) {
        return r == null || r.latency == null ? null : (double) r.latency.p99();
    }

    private static Double bulkRate(PathResult r) {
        return r == null || r.bulk == null ? null : r.bulk.rowsPerSecond();
    }

    private static String ratio(String name, Double num, Double den, double target, boolean atLeast) {
        String cmp = atLeast ? "≥ " : "≤ ";
        if (num == null || den == null) {
            return "- " + name + ": n/a (a path was not measured) — target " + cmp + fmt(target) + ": FAIL\n";
        }
        double ratio = num / Math.max(den, 1e-9);
        boolean pass = atLeast ? ratio >= target : ratio <= target;
        return "- " + name + " = " + fmt(ratio) + " — target " + cmp + fmt(target) + ": " + (pass ? "PASS" : "FAIL")
                + "\n";
    }

    private static String exactness(PathResult t) {
        if (t == null || t.latency == null) {
            return "- Tideline duplicates and missing rows: n/a — target 0 and 0: FAIL\n";
        }
        long bulkMissing = t.bulk == null ? 0 : t.bulk.missing();
        long bulkDuplicates = t.bulk == null ? 0 : t.bulk.duplicates();
        boolean pass = t.latency.duplicates() == 0 && t.latency.missing() == 0 && bulkMissing == 0
                && bulkDuplicates == 0;
        return "- Tideline duplicates = " + t.latency.duplicates() + ", missing = " + t.latency.missing()
                + (t.bulk == null ? "" : " (bulk: duplicates = " + bulkDuplicates + ", missing = " + bulkMissing + ")")
                + " — target 0 and 0: " + (pass ? "PASS" : "FAIL") + "\n";
    }

    private static String bulk(PathResult r) {
        if (r.bulk == null) {
            return r.bulkError != null ? "failed" : "–";
        }
        String s = String.format(Locale.ROOT, "%,.0f (%,.0f)", r.bulk.rowsPerSecond(), r.bulk.rowsPerSecondWithStartup());
        if (r.bulk.missing() != 0) {
            s += ", " + r.bulk.missing() + " missing";
        }
        return r.bulk.duplicates() == 0 ? s : s + ", " + r.bulk.duplicates() + " duplicates";
    }

    static String ms(long micros) {
        if (micros >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f s", micros / 1e6);
        }
        if (micros >= 10_000) {
            return String.format(Locale.ROOT, "%.0f ms", micros / 1e3);
        }
        return String.format(Locale.ROOT, "%.2f ms", micros / 1e3);
    }

    static String perSecond(long[] worst) {
        StringBuilder sb = new StringBuilder();
        for (long w : worst) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(w >= 10_000 ? String.format(Locale.ROOT, "%.0f", w / 1e3) : String.format(Locale.ROOT, "%.1f", w / 1e3));
        }
        return sb.toString();
    }

    private static String fmt(double d) {
        return d >= 100 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.2f", d);
    }
}
