package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's metrics promise, checked from outside: {@code /metrics} of a daemon running both sinks parses as
 * Prometheus text, holds every metric the README lists, and every metric the shipped Grafana dashboard and alert
 * rules query.
 */
class MetricsEndpointIT {

    /** {@code name{label="value",...} value [timestamp]}: the sample line of the Prometheus text format. */
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(\\\\.|[^\"\\\\])*\",?)*})? (\\S+)( -?\\d+)?");
    private static final Pattern README_METRIC = Pattern.compile("^\\| `(tideline_[a-z0-9_]+)`");
    private static final Pattern QUERIED = Pattern.compile("tideline_[a-z0-9_]+");

    @TempDir
    Path dir;

    @Test
    void metricsParseAsPrometheusTextAndHoldEveryMetricTheReadmeAndTheDashboardsName() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("metrics");
        pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t SELECT g, 'v' FROM generate_series(1, 100) g");
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            List<String> lines = E2e.config(pg, db, "metrics", dir.resolve("state"), kafka, "met");
            lines.addAll(List.of("tideline.source.table.include.list=public.t", "tideline.runtime.epoch.duration=1s"));
            Path config = E2e.write(dir.resolve("m.properties"), E2e.iceberg(lines, warehouse, "met", "1s"));
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon.log"))) {
                String base = E2e.httpBase(daemon, dir.resolve("daemon.log"));
                pg.executeIn(db, "UPDATE t SET v = 'w' WHERE id <= 10");
                E2e.await(() -> {
                            String body = E2e.get(base + "/metrics").body();
                            return body.contains("tideline_iceberg_commit_duration_seconds_count")
                                    && body.contains("tideline_kafka_commit_to_ack_seconds_count");
                        },
                        daemon, Duration.ofSeconds(90), "an Iceberg commit and a Kafka acknowledgement");
                E2e.Http metrics = E2e.get(base + "/metrics");
                assertEquals(200, metrics.status());
                Set<String> families = families(metrics.body());

                Path root = Path.of(System.getProperty("user.dir")).getParent();
                Set<String> listed = new TreeSet<>();
                for (String line : Files.readAllLines(root.resolve("README.md"))) {
                    Matcher m = README_METRIC.matcher(line);
                    if (m.find()) listed.add(m.group(1));
                }
                assertTrue(listed.size() >= 25, "the README's metrics table: " + listed);
                Set<String> missing = new TreeSet<>(listed);
                missing.removeAll(families);
                assertEquals(Set.of(), missing, "README metrics absent from /metrics; it has " + families);

                Set<String> queried = new TreeSet<>();
                for (String file : List.of("deploy/grafana/tideline-dashboard.json", "deploy/prometheus/tideline-alerts.yml")) {
                    Matcher m = QUERIED.matcher(Files.readString(root.resolve(file)));
                    while (m.find()) queried.add(m.group());
                }
                queried.removeAll(families);
                assertEquals(Set.of(), queried, "metrics the dashboard or alerts query but /metrics lacks");
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
        } finally {
            E2e.dropSlot(pg, db, "metrics");
        }
    }

    /** Every sample's name, and its family's (without _bucket, _count, _sum, _max); fails on a line that is not Prometheus text. */
    private static Set<String> families(String body) {
        Set<String> names = new TreeSet<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE ") || line.equals("# EOF")) continue;
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) fail("not a Prometheus text line: " + line);
            String value = m.group(5);
            if (!value.matches("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?|NaN|[-+]Inf")) fail("not a sample value: " + line);
            names.add(m.group(1));
            names.add(m.group(1).replaceFirst("_(count|sum|bucket|max|created)$", ""));   // a histogram's or summary's family
        }
        return names;
    }
}
