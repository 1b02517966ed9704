package io.tideline.bench.kafka;

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
    Bulk bulk;
    String bulkError;

    PathResult(String key, String label) {
        this.key = key;
        this.label = label;
    }
}
