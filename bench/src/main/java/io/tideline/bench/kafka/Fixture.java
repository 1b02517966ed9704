package io.tideline.bench.kafka;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * A fresh table, publication, logical slot and topic for one path and one measurement, so that no path
 * reads another's changes or inherits its backlog.
 */
final class Fixture {
    /** A row of the benchmark: the id, the scheduled send time, and a small payload. */
    static final String PAYLOAD = "tideline-bench-row-payload-0123456789abcdef";

    final String name;
    final String table;
    final String slot;
    final String publication;
    final String topicPrefix;
    final String topic;
    private final BenchServices services;

    private Fixture(BenchServices services, String name) {
        this.services = services;
        this.name = name;
        this.table = "bench_" + name;
        this.slot = "bench_" + name;
        this.publication = "bench_" + name + "_pub";
        this.topicPrefix = "bench_" + name;
        this.topic = topicPrefix + ".public." + table;
    }

    /** Creates everything; the slot exists before the first row is written, so every path starts from row 1. */
    static Fixture create(BenchServices services, String name) throws Exception {
        Fixture f = new Fixture(services, name);
        f.drop();
        try (Connection c = services.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public." + f.table + " (id bigint PRIMARY KEY, sched_us bigint NOT NULL,"
                    + " payload text NOT NULL)");
            s.execute("CREATE PUBLICATION " + f.publication + " FOR TABLE public." + f.table);
            s.execute("SELECT pg_create_logical_replication_slot('" + f.slot + "', 'pgoutput')");
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap))) {
            // The broker stamps each record when it appends it: bulk runs read back when every row became durable.
            NewTopic topic = new NewTopic(f.topic, 1, (short) 1)
                    .configs(Map.of("message.timestamp.type", "LogAppendTime"));
            admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        }
        return f;
    }

    String qualifiedTable() {
        return "public." + table;
    }

    /**
     * Drops the slot (so the server stops retaining WAL for it), the publication and the table. A walsender
     * may hold the slot for a moment after its client closed; retry for a few seconds.
     */
    void drop() throws Exception {
        try (Connection c = services.connect(); Statement s = c.createStatement()) {
            for (int attempt = 0; ; attempt++) {
                try {
                    s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                            + slot + "'");
                    break;
                } catch (SQLException e) {
                    if (attempt >= 20) {
                        throw new IllegalStateException("Cannot drop replication slot " + slot + ": " + e.getMessage()
                                + ". Drop it by hand (SELECT pg_drop_replication_slot('" + slot + "')).", e);
                    }
                    terminateWalsender(s);
                    Thread.sleep(500);
                }
            }
            s.execute("DROP PUBLICATION IF EXISTS " + publication);
            s.execute("DROP TABLE IF EXISTS public." + table);
        }
    }

    private void terminateWalsender(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                + " WHERE slot_name = '" + slot + "' AND active_pid IS NOT NULL")) {
            while (rs.next()) {
                // the walsender of a closed client; nothing to read
            }
        }
    }

    /** Records in the topic (the sum of its partitions' end offsets); the paths write no transaction markers. */
    long endOffset() throws Exception {
        try (Admin admin = admin()) {
            return endOffset(admin);
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap));
    }

    long endOffset(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values().stream()
                .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    }

    Properties connectionProperties() {
        Properties p = new Properties();
        p.setProperty("user", services.user);
        p.setProperty("password", services.password);
        return p;
    }
}
