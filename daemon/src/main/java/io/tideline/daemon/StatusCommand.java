package io.tideline.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tideline.config.TidelineConfig;
import io.tideline.config.TidelineConfigDef;
import io.tideline.daemon.validate.SourceConnection;
import io.tideline.idempotency.EpochLedger;
import io.tideline.sink.iceberg.CommittedPosition;
import io.tideline.sink.kafka.KafkaHeaders;
import io.tideline.source.Publications;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tideline status --config FILE [--json]}: what a deployment holds, read from the state dir, PostgreSQL and the
 * sinks themselves, so it works while the daemon is down (and is read-only while it runs): the slot, the last
 * committed epoch, the snapshot progress and each sink's position. A part that cannot be reached is reported as such.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the slot, the last committed epoch, snapshot progress and each sink's position.")
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (.properties).")
    Path config;

    @Option(names = "--json", description = "One JSON object, for scripts.")
    boolean json;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    public Integer call() throws Exception {
        TidelineConfig cfg = TidelineConfig.load(config);
        Path stateDir = cfg.getPath(TidelineConfigDef.STATE_DIR).toAbsolutePath();
        String slot = cfg.getString(TidelineConfigDef.SOURCE_SLOT_NAME);
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("stateDir", stateDir.toString());
        status.put("source", read(stateDir.resolve("source-identity")));
        status.put("slot", slot(cfg, slot));
        status.put("publication", Publications.nameFor(stateDir, slot, cfg.getString(TidelineConfigDef.SOURCE_PUBLICATION_NAME)));
        Map<String, Object> ledger = new LinkedHashMap<>();
        EpochLedger.peekLast(stateDir).ifPresent(r -> {
            ledger.put("epoch", r.epoch());
            ledger.put("position", r.end().toString());
            ledger.put("committedAt", Instant.ofEpochMilli(r.wallTimeMs()).toString());
        });
        status.put("lastCommittedEpoch", ledger.isEmpty() ? null : ledger);
        status.put("acknowledged", read(stateDir.resolve("source-ack.position")));
        Path snapshots = stateDir.resolve("snapshot-state.json");
        status.put("snapshot", Files.exists(snapshots) ? JSON.readTree(snapshots.toFile()).get("tables") : null);
        if (cfg.getBoolean(TidelineConfigDef.KAFKA_ENABLED)) status.put("kafka", kafka(cfg));
        if (cfg.getBoolean(TidelineConfigDef.ICEBERG_ENABLED)) status.put("iceberg", iceberg(cfg));
        PrintWriter out = spec.commandLine().getOut();
        if (json) out.println(JSON.writeValueAsString(status));
        else text(out, status);
        out.flush();
        return ExitCodes.OK;
    }

    private static String read(Path file) throws Exception {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : null;
    }

    private static Object slot(TidelineConfig cfg, String slot) {
        try (Connection c = SourceConnection.open(cfg, "tideline-status", (int) TIMEOUT.toSeconds());
             PreparedStatement st = c.prepareStatement("SELECT active, confirmed_flush_lsn::text, restart_lsn::text,"
                     + " pg_current_wal_lsn()::text, (pg_current_wal_lsn() - restart_lsn)::bigint"
                     + " FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, slot);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", slot);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    m.put("exists", false);
                    return m;
                }
                m.put("exists", true);
                m.put("active", rs.getBoolean(1));
                m.put("confirmedFlushLsn", rs.getString(2));
                m.put("restartLsn", rs.getString(3));
                m.put("currentLsn", rs.getString(4));
                m.put("retainedWalBytes", rs.getLong(5));
            }
            return m;
        } catch (Exception e) {
            return Map.of("name", slot, "error", "cannot reach " + SourceConnection.where(cfg) + ": " + e.getMessage());
        }
    }

    /** Per topic partition under the prefix: end offset and the position of its last record. */
    private static Object kafka(TidelineConfig cfg) {
        String bootstrap = String.join(",", cfg.getList(TidelineConfigDef.KAFKA_BOOTSTRAP_SERVERS));
        String prefix = cfg.getString(TidelineConfigDef.KAFKA_TOPIC_PREFIX) + ".";
        Map<String, Object> common = new HashMap<>(cfg.withPrefix(TidelineConfigDef.KAFKA_PRODUCER_PREFIX));
        common.keySet().retainAll(ConsumerConfig.configNames());
        common.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        common.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        common.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        List<Map<String, Object>> partitions = new ArrayList<>();
        try (Admin admin = Admin.create(common);
             KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(common, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<String> topics = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).stream()
                    .filter(t -> t.startsWith(prefix)).sorted().toList();
            for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values()) {
                for (var info : d.partitions()) {
                    TopicPartition tp = new TopicPartition(d.name(), info.partition());
                    long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("topic", tp.topic());
                    m.put("partition", tp.partition());
                    m.put("endOffset", end);
                    m.putAll(lastRecord(consumer, tp, end));
                    partitions.add(m);
                }
            }
            partitions.sort((a, b) -> (a.get("topic") + "/" + a.get("partition")).compareTo(b.get("topic") + "/" + b.get("partition")));
            return partitions;
        } catch (Exception e) {
            return Map.of("error", "cannot read Kafka at " + bootstrap + ": " + e.getMessage());
        }
    }

    private static Map<String, Object> lastRecord(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long end) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (end <= 0) return m;
        consumer.assign(List.of(tp));
        consumer.seek(tp, end - 1);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                m.put("position", header(r, KafkaHeaders.POSITION));
                m.put("epoch", header(r, KafkaHeaders.EPOCH));
                m.put("source", header(r, KafkaHeaders.SOURCE));
                return m;
            }
            if (consumer.position(tp) >= end) break;
        }
        return m;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Per table of the namespace: the fence (summary or property) and the current snapshot. */
    private static Object iceberg(TidelineConfig cfg) {
        Map<String, String> props = new HashMap<>(cfg.withPrefix(TidelineConfigDef.ICEBERG_CATALOG_PREFIX));
        try {
            Catalog catalog = CatalogUtil.buildIcebergCatalog("tideline", props, new org.apache.hadoop.conf.Configuration());
            List<Map<String, Object>> tables = new ArrayList<>();
            Namespace ns = Namespace.of(cfg.getString(TidelineConfigDef.ICEBERG_NAMESPACE).split("\\."));
            for (TableIdentifier id : catalog.listTables(ns)) {
                Table t = catalog.loadTable(id);
                CommittedPosition fence = CommittedPosition.of(t);
                Snapshot s = t.currentSnapshot();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("table", id.toString());
                m.put("position", fence.position() == null ? null : fence.position().toString());
                m.put("epoch", fence.epoch());
                m.put("source", t.properties().get("tideline.source"));
                m.put("snapshotId", s == null ? null : s.snapshotId());
                m.put("committedAt", s == null ? null : Instant.ofEpochMilli(s.timestampMillis()).toString());
                m.put("totalRecords", s == null ? null : s.summary().get("total-records"));
                tables.add(m);
            }
            if (catalog instanceof AutoCloseable c) c.close();
            return tables;
        } catch (Exception e) {
            return Map.of("error", "cannot read the Iceberg catalog: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static void text(PrintWriter out, Map<String, Object> s) {
        out.println("state dir    " + s.get("stateDir"));
        out.println("source       cluster " + (s.get("source") == null ? "(not connected yet)" : s.get("source")));
        out.println("slot         " + s.get("slot"));
        out.println("publication  " + s.get("publication"));
        out.println("last epoch   " + (s.get("lastCommittedEpoch") == null ? "(none committed)" : s.get("lastCommittedEpoch")));
        out.println("acknowledged " + (s.get("acknowledged") == null ? "(nothing)" : s.get("acknowledged")));
        Object snapshot = s.get("snapshot");
        if (snapshot instanceof com.fasterxml.jackson.databind.JsonNode tables) {
            for (var t : tables) {
                out.println("snapshot     " + t.path("schema").asText() + "." + t.path("table").asText() + " "
                        + t.path("status").asText().toLowerCase() + ": " + t.path("rowsEmitted").asLong() + " rows in "
                        + t.path("chunksDone").asLong() + " chunks done, " + t.path("open").size() + " open");
            }
        }
        if (s.containsKey("kafka")) {
            Object k = s.get("kafka");
            if (k instanceof List<?> list) for (Object p : list) out.println("kafka        " + p);
            else out.println("kafka        " + k);
        }
        if (s.containsKey("iceberg")) {
            Object i = s.get("iceberg");
            if (i instanceof List<?> list) for (Object t : list) out.println("iceberg      " + t);
            else out.println("iceberg      " + i);
        }
    }
}
