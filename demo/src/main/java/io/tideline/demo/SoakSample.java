package io.tideline.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One minute of the soak: the daemon's heap right after a full GC, its resident set, the WAL its slot holds back,
 * the mean epoch commit time of the minute and Kafka's commit-to-ack p99, read from the daemon's own {@code /metrics}
 * and {@code /proc}.
 */
record SoakSample(double minute, double heapMb, double rssMb, double walMb, double epochCommitMs, double kafkaP99Ms,
                  long transactions) {

    static final String HEADER = String.format("%7s | %9s | %8s | %11s | %15s | %12s | %12s",
            "minute", "heap (MB)", "RSS (MB)", "WAL held MB", "epoch commit ms", "Kafka p99 ms", "transactions");

    String row() {
        return String.format("%7.1f | %9.1f | %8.1f | %11.2f | %15.1f | %12.1f | %,12d",
                minute, heapMb, rssMb, walMb, epochCommitMs, kafkaP99Ms, transactions);
    }

    /** Reads the daemon's metrics at {@code base} ({@code http://host:port}); {@code previous} gives the minute's deltas. */
    static final class Probe {
        private final long pid;
        private final String base;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private double lastCommitSum;
        private double lastCommitCount;
        private Map<Double, Double> lastBuckets = Map.of();

        Probe(long pid, String base) {
            this.pid = pid;
            this.base = base;
        }

        SoakSample take(double minute, long transactions) throws Exception {
            fullGc();
            Map<String, Double> m = metrics();
            double heap = sum(m, "jvm_memory_used_bytes{", "area=\"heap\"");
            double commitSum = sum(m, "tideline_runtime_epoch_commit_seconds_sum", "");
            double commitCount = sum(m, "tideline_runtime_epoch_commit_seconds_count", "");
            double commitMs = commitCount > lastCommitCount
                    ? 1000 * (commitSum - lastCommitSum) / (commitCount - lastCommitCount) : 0;
            lastCommitSum = commitSum;
            lastCommitCount = commitCount;
            return new SoakSample(minute, heap / 1e6, rssKb() / 1e3, sum(m, "tideline_source_slot_retained_wal_bytes", "") / 1e6,
                    commitMs, 1000 * kafkaP99(m), transactions);
        }

        /**
         * The p99 of the acknowledgements since the last sample, from the histogram's cumulative buckets (all tables
         * together): the smallest bucket bound that holds 99% of the minute's records.
         */
        private double kafkaP99(Map<String, Double> m) {
            java.util.TreeMap<Double, Double> now = new java.util.TreeMap<>();
            String name = "tideline_kafka_commit_to_ack_seconds_bucket{";
            for (Map.Entry<String, Double> e : m.entrySet()) {
                if (!e.getKey().startsWith(name)) continue;
                int at = e.getKey().indexOf(",le=\"") + 1;   // not the "le" that ends "table"
                if (at == 0) at = e.getKey().indexOf("{le=\"") + 1;
                String le = e.getKey().substring(at + 4, e.getKey().indexOf('"', at + 4));
                now.merge(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), e.getValue(), Double::sum);
            }
            double total = now.isEmpty() ? 0 : now.lastEntry().getValue() - lastBuckets.getOrDefault(now.lastKey(), 0.0);
            double p99 = 0;
            if (total > 0) {
                for (Map.Entry<Double, Double> e : now.entrySet()) {
                    if (e.getValue() - lastBuckets.getOrDefault(e.getKey(), 0.0) >= 0.99 * total) {
                        p99 = e.getKey();
                        break;
                    }
                }
            }
            lastBuckets = now;
            return p99;
        }

        /** A full collection first, so the heap shows what is live rather than where the collector happened to be. */
        private void fullGc() throws Exception {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        }

        private double rssKb() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) return Double.parseDouble(line.substring(6).replace("kB", "").strip());
            }
            return 0;
        }

        private Map<String, Double> metrics() throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Double> out = new HashMap<>();
            for (String line : r.body().split("\n")) {
                if (line.startsWith("#") || line.isBlank()) continue;
                int space = line.lastIndexOf(' ');
                try {
                    out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                } catch (NumberFormatException ignored) {
                    // NaN-free lines only
                }
            }
            return out;
        }

        private static double sum(Map<String, Double> m, String prefix, String label) {
            return m.entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && e.getKey().contains(label)
                            && !e.getValue().isNaN()).mapToDouble(Map.Entry::getValue).sum();
        }
    }
}
