package io.tideline.demo;

import io.tideline.testkit.KafkaBroker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@code bin/tideline demo --show}: what a stopped demo left behind. Starts a broker on the demo's Kafka log dir
 * and prints, per topic, its record count by operation and the latest records; per Iceberg table its row count,
 * the position of its last commit and a few rows. Reads only: the demo's data stays as it was.
 */
final class DemoShow {

    private static final Pattern OP = Pattern.compile("\"op\":\"([a-z])\"");
    private static final int MAX_CHARS = 240;

    private final Path dir;
    private final int limit;
    private final PrintStream out;

    DemoShow(Path dir, int limit, PrintStream out) {
        this.dir = dir;
        this.limit = limit;
        this.out = out;
    }

    int run() throws IOException {
        Path kafkaDir = dir.resolve("kafka");
        Path warehouse = dir.resolve("iceberg");
        if (!Files.isDirectory(kafkaDir) || !Files.isDirectory(warehouse)) {
            out.println("Cannot show the demo's data: " + dir.toAbsolutePath() + " holds no kafka/ and iceberg/."
                    + " Run bin/tideline demo first (or pass its --dir).");
            return 2;
        }
        out.println("Kafka: starting a broker on " + kafkaDir.toAbsolutePath() + " ...");
        try (KafkaBroker broker = KafkaBroker.openIn(kafkaDir)) {
            for (String table : DemoSchema.TABLES) {
                showTopic(broker, DemoConfig.topic(table));
            }
        }
        out.println();
        out.println("Iceberg: Hadoop catalog, warehouse " + warehouse.toAbsolutePath());
        try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toAbsolutePath().toString())) {
            for (String table : DemoSchema.TABLES) {
                showTable(catalog, TableIdentifier.of(Namespace.of(DemoConfig.NAMESPACE), DemoConfig.icebergTable(table)));
            }
        }
        return 0;
    }

    private void showTopic(KafkaBroker broker, String topic) {
        List<ConsumerRecord<byte[], byte[]>> records;
        try {
            records = broker.readAll(topic, Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            out.println("  " + topic + ": cannot read (" + e.getMessage() + ")");
            return;
        }
        Map<String, Integer> ops = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            String value = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
            Matcher m = value == null ? null : OP.matcher(value);
            ops.merge(m != null && m.find() ? m.group(1) : "tombstone", 1, Integer::sum);
        }
        out.printf("  %-32s %,8d records %s%n", topic, records.size(), ops);
        for (ConsumerRecord<byte[], byte[]> r : records.subList(Math.max(0, records.size() - limit), records.size())) {
            out.printf("      partition %d offset %d: %s%n", r.partition(), r.offset(),
                    abbreviate(r.value() == null ? "null (tombstone)" : payload(new String(r.value(), StandardCharsets.UTF_8))));
        }
    }

    private void showTable(HadoopCatalog catalog, TableIdentifier id) throws IOException {
        if (!catalog.tableExists(id)) {
            out.println("  " + id + ": no such table");
            return;
        }
        Table table = catalog.loadTable(id);
        Snapshot current = table.currentSnapshot();
        long rows = 0;
        List<Record> sample = new java.util.ArrayList<>();
        try (CloseableIterable<Record> all = IcebergGenerics.read(table).build()) {
            for (Record r : all) {
                rows++;
                if (sample.size() < limit) {
                    sample.add(r);
                }
            }
        }
        out.printf("  %-32s %,8d rows, %s%n", id, rows, current == null ? "no snapshot"
                : "snapshot " + current.snapshotId() + " at tideline.position "
                        + current.summary().getOrDefault("tideline.position", "-"));
        for (Record r : sample) {
            out.println("      " + abbreviate(r.toString()));
        }
    }

    /** With schemas on, a value starts with its (long) Connect schema; the change itself is its payload. */
    private static String payload(String value) {
        int at = value.indexOf("\"payload\":");
        return at < 0 ? value : value.substring(at);
    }

    private static String abbreviate(String s) {
        return s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS) + "… (" + s.length() + " chars)";
    }
}
