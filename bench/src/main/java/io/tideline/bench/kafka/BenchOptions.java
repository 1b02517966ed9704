package io.tideline.bench.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line options of {@link KafkaLatencyBench}. */
final class BenchOptions {
    static final String USAGE = String.join("\n",
            "Usage: KafkaLatencyBench [options]",
            "  --rate N            single-row transactions per second (default 1000)",
            "  --warmup SECONDS    warm-up, excluded from the figures (default 20)",
            "  --duration SECONDS  measured window (default 30)",
            "  --drain SECONDS     longest wait for the last rows after the load stops (default 60)",
            "  --bulk-rows N       rows of the bulk throughput run, 0 to skip it (default 1000000)",
            "  --bulk-tx-rows N    rows per bulk transaction (default 10000)",
            "  --bulk-warmup-rows N  rows of a discarded bulk run per path before the measured ones, to compile the"
                    + " path's bulk code (default 200000; 0 skips it)",
            "  --bulk-rounds N     measured bulk runs per path, interleaved across paths; the median counts (default 3)",
            "  --paths LIST        comma list of tideline,baseline,floor,engine (default all)",
            "  --tideline-mode M   process (child JVM: tideline run --config) or inprocess (PipelineFactory);"
                    + " default inprocess",
            "  --tideline-set K=V  add a Tideline property (repeatable); the row is then labelled with it, not 'defaults'",
            "  --pg-url URL        use this PostgreSQL (jdbc:postgresql://host:port/db?user=..&password=..)"
                    + " instead of a private cluster; the user needs REPLICATION and CREATE",
            "  --bootstrap HOSTS   use this Kafka instead of a private broker (topics are created, auto-create not needed)");

    int rate = 1000;
    Duration warmup = Duration.ofSeconds(20);
    Duration duration = Duration.ofSeconds(30);
    Duration drain = Duration.ofSeconds(60);
    int bulkRows = 1_000_000;
    int bulkTxRows = 10_000;
    int bulkWarmupRows = 200_000;
    int bulkRounds = 3;
    Set<String> paths = new LinkedHashSet<>(List.of("floor", "baseline", "engine", "tideline"));
    String tidelineMode = "inprocess";
    Map<String, String> tidelineOverrides = new LinkedHashMap<>();
    String pgUrl;
    String bootstrap;

    static BenchOptions parse(String[] args) {
        BenchOptions o = new BenchOptions();
        List<String> a = new ArrayList<>(List.of(args));
        for (int i = 0; i < a.size(); i++) {
            String k = a.get(i);
            if (k.equals("-h") || k.equals("--help")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (i + 1 >= a.size()) {
                throw new IllegalArgumentException("Cannot parse the options: " + k + " needs a value. " + "See --help.");
            }
            String v = a.get(++i);
            switch (k) {
                case "--rate" -> o.rate = positive(k, v);
                case "--warmup" -> o.warmup = Duration.ofSeconds(nonNegative(k, v));
                case "--duration" -> o.duration = Duration.ofSeconds(positive(k, v));
                case "--drain" -> o.drain = Duration.ofSeconds(positive(k, v));
                case "--bulk-rows" -> o.bulkRows = nonNegative(k, v);
                case "--bulk-tx-rows" -> o.bulkTxRows = positive(k, v);
                case "--bulk-warmup-rows" -> o.bulkWarmupRows = nonNegative(k, v);
                case "--bulk-rounds" -> o.bulkRounds = positive(k, v);
                case "--paths" -> o.paths = paths(v);
                case "--tideline-mode" -> o.tidelineMode = mode(v);
                case "--tideline-set" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("Cannot parse --tideline-set: '" + v
                                + "' is not key=value. Pass e.g. tideline.runtime.parallelism=1.");
                    }
                    o.tidelineOverrides.put(v.substring(0, eq), v.substring(eq + 1));
                }
                case "--pg-url" -> o.pgUrl = v;
                case "--bootstrap" -> o.bootstrap = v;
                default -> throw new IllegalArgumentException("Cannot parse the options: unknown option " + k
                        + ". See --help.");
            }
        }
        return o;
    }

    private static Set<String> paths(String v) {
        Set<String> s = new LinkedHashSet<>();
        for (String p : v.split(",")) {
            String t = p.trim();
            if (!List.of("floor", "baseline", "engine", "tideline").contains(t)) {
                throw new IllegalArgumentException("Cannot parse --paths: unknown path '" + t
                        + "'. Use tideline, baseline, floor or engine.");
            }
            s.add(t);
        }
        return s;
    }

    private static String mode(String v) {
        if (!v.equals("process") && !v.equals("inprocess")) {
            throw new IllegalArgumentException("Cannot parse --tideline-mode: '" + v + "'. Use process or inprocess.");
        }
        return v;
    }

    private static int positive(String k, String v) {
        int n = nonNegative(k, v);
        if (n == 0) {
            throw new IllegalArgumentException("Cannot parse " + k + ": it must be greater than 0. Pass a positive number.");
        }
        return n;
    }

    private static int nonNegative(String k, String v) {
        try {
            int n = Integer.parseInt(v.replace("_", ""));
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot parse " + k + ": '" + v + "' is not a non-negative integer."
                    + " Pass a number such as 1000.");
        }
    }
}
