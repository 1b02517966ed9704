package io.tideline.bench.kafka;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One row of the result table; a measurement that did not happen stays null with its reason. */
final class PathResult {
    /** Latency figures in microseconds. */
    record Latency(long p50, long p99, long p999, long max, long duplicates, long missing, long sent,
                   long[] worstPerSecond, long generatorMaxBehindMicros) {
    }

    /**
     * Rows per second from the first to the last row delivered (appended to Kafka, or handed to the engine's
     * consumer), and from the start of capture; rows never delivered and rows delivered twice.
     */
    record Bulk(long rows, double rowsPerSecond, double rowsPerSecondWithStartup, long missing, long duplicates) {
    }

    final String key;
    final String label;
    Latency latency;
    String latencyError;
    /** The median of {@link #bulkRuns} by rows/s, with missing rows and duplicates summed over all of them. */
    Bulk bulk;
    final List<Bulk> bulkRuns = new ArrayList<>();
    String bulkError;

    /** The run with the median rate (the lower middle one of an even count); what went wrong in any run counts. */
    static Bulk median(List<Bulk> runs) {
        if (runs.isEmpty()) {
            return null;
        }
        List<Bulk> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Bulk::rowsPerSecond));
        Bulk m = sorted.get((sorted.size() - 1) / 2);
        long missing = runs.stream().mapToLong(Bulk::missing).sum();
        long duplicates = runs.stream().mapToLong(Bulk::duplicates).sum();
        return new Bulk(m.rows(), m.rowsPerSecond(), m.rowsPerSecondWithStartup(), missing, duplicates);
    }

    PathResult(String key, String label) {
        this.key = key;
        this.label = label;
    }
}
