package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 1: a failed Kafka send never leaves a silent hole. A row too large for its topic is refused by the
 * broker while the small rows committed right after it are in flight; the idempotent producer lets those later
 * batches in. The daemon must stop (the record cannot be written), and a restart must not read the later tail as
 * "everything up to here is held": it stops again, naming topic, partition and positions, and the slot is never
 * acknowledged past the refused row.
 */
class KafkaSendGapIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aRefusedRecordFollowedByAcceptedOnesStopsTheDaemonInsteadOfBeingSkipped() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker kafka = KafkaBroker.shared();
        String db = pg.createDatabase("gap");
        pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY, v text)");
        try (Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic("gap.public.t", 1, (short) 1)
                    .configs(Map.of("max.message.bytes", "8192")))).all().get(30, TimeUnit.SECONDS);
        }
        List<String> lines = E2e.config(pg, db, "gap", dir.resolve("state"), kafka, "gap");
        lines.addAll(List.of("tideline.source.table.include.list=public.t", "tideline.runtime.epoch.duration=2s",
                "tideline.sink.kafka.topic.partitions=1", "tideline.sink.kafka.producer.linger.ms=0"));
        Path config = E2e.write(dir.resolve("gap.properties"), lines);
        String beforeBig;
        try {
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon-1.log"))) {
                E2e.await(() -> slotExists(pg, db), daemon, Duration.ofSeconds(60), "the slot");
                pg.executeIn(db, "INSERT INTO t SELECT g, 'small ' || g FROM generate_series(1, 5) g");
                E2e.await(() -> ids(kafka).size() == 5, daemon, Duration.ofSeconds(60), "the first rows in Kafka");
                beforeBig = lsn(pg, db);
                try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                    // 200 KB of hex, ~100 KB after lz4: far over the topic's 8 KB; then small rows, each its own commit
                    s.execute("INSERT INTO t SELECT 6, string_agg(md5(random()::text), '') FROM generate_series(1, 6400)");
                    for (int id = 7; id <= 60; id++) s.execute("INSERT INTO t VALUES (" + id + ", 'small " + id + "')");
                }
                int code = daemon.awaitExit(Duration.ofSeconds(120));
                assertEquals(1, code, daemon.tail());
                assertTrue(daemon.logContains("RecordTooLargeException") || daemon.logContains("KafkaGapException"), daemon.tail());
            }
            TreeSet<Integer> held = ids(kafka);
            System.out.println("Kafka holds ids " + held + " after the refused row 6");
            assertTrue(!held.contains(6), "the broker refused row 6: " + held);

            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon-2.log"))) {
                int code = daemon.awaitExit(Duration.ofSeconds(120));
                assertEquals(1, code, "the restart must not skip row 6 and carry on:\n" + daemon.tail());
                if (held.stream().anyMatch(id -> id > 6)) {
                    assertTrue(daemon.logContains("Cannot replay into Kafka topic gap.public.t partition 0: it holds position"),
                            "rows after 6 got in: the restart names the hole:\n" + daemon.tail());
                } else {
                    assertTrue(daemon.logContains("RecordTooLargeException"), "row 6 is refused again:\n" + daemon.tail());
                }
            }
            assertEquals(held, ids(kafka), "nothing was written past the hole on restart");
            assertTrue(confirmedAtOrBefore(pg, db, beforeBig), "the slot is not acknowledged past the refused row");
        } finally {
            E2e.dropSlot(pg, db, "gap");
        }
    }

    private static TreeSet<Integer> ids(KafkaBroker kafka) throws Exception {
        TreeSet<Integer> ids = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("gap.public.t", Duration.ofSeconds(30))) {
            if (r.value() == null) continue;
            ids.add(JSON.readTree(r.value()).path("payload").path("after").path("id").asInt());
        }
        return ids;
    }

    private static boolean slotExists(PostgresCluster pg, String db) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'gap'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    private static String lsn(PostgresCluster pg, String db) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean confirmedAtOrBefore(PostgresCluster pg, String db, String lsn) throws Exception {
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn <= '" + lsn + "'::pg_lsn FROM pg_replication_slots"
                     + " WHERE slot_name = 'gap'")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
