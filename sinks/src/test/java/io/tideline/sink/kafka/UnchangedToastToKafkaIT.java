package io.tideline.sink.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.SinkWriter;
import io.tideline.api.Unchanged;
import io.tideline.source.DebeziumChangeSource;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5: a TOASTed column that an UPDATE left unchanged, captured from a real PostgreSQL and written through the
 * Kafka sink to a real broker. With REPLICA IDENTITY FULL the consumer gets the real value; with the default replica
 * identity PostgreSQL never sends it, and the field carries exactly what Debezium sends (its placeholder).
 */
class UnchangedToastToKafkaIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    @Test
    void unchangedToastReachesKafkaAsTheRealValueWithFullIdentityAndAsDebeziumsPlaceholderOtherwise() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        KafkaBroker broker = KafkaBroker.shared();
        String db = pg.createDatabase("toast_kafka");
        pg.executeIn(db,
                "CREATE TABLE toast_full (id int PRIMARY KEY, n int, big text)",
                "ALTER TABLE toast_full REPLICA IDENTITY FULL",
                "CREATE TABLE toast_default (id int PRIMARY KEY, n int, big text)",
                "CREATE PUBLICATION toast_kafka FOR TABLE toast_full, toast_default",
                "SELECT pg_create_logical_replication_slot('toast_kafka', 'pgoutput')");
        String big;
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            // md5 text compresses poorly, so 19 kB of it is stored out of line (TOASTed)
            for (String table : List.of("toast_full", "toast_default")) {
                s.execute("INSERT INTO " + table + " SELECT 1, 1, string_agg(md5(i::text), '') FROM generate_series(1, 600) i");
                s.execute("UPDATE " + table + " SET n = 2 WHERE id = 1");
            }
            try (ResultSet rs = s.executeQuery("SELECT big FROM toast_full")) {
                rs.next();
                big = rs.getString(1);
            }
        }
        assertTrue(big.length() > 8000, "the value is large enough to be TOASTed");

        List<ChangeEvent> events = Collections.synchronizedList(new ArrayList<>());
        DebeziumChangeSource source = DebeziumChangeSource.builder().hostname(pg.host()).port(pg.port()).user(pg.user())
                .password(pg.password()).database(db).slotName("toast_kafka").publicationName("toast_kafka")
                .tableIncludeList(List.of("public.toast_full", "public.toast_default")).snapshotMode("no_data")
                .stateDir(state).name("toast").build();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<Object> run = null;
        try {
            run = thread.submit(() -> {
                source.run(events::add);
                return null;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (events.size() < 4) {
                if (run.isDone()) run.get(); // the source failed: its error, not a timeout
                if (System.nanoTime() > deadline) fail("captured only " + events.size() + " of 4 changes: " + events);
                Thread.sleep(100);
            }
        } finally {
            source.close();
            thread.shutdown();
            assertTrue(thread.awaitTermination(30, TimeUnit.SECONDS), "the source did not stop within 30 s of close()");
            if (run != null) run.get(); // close() ends run() normally; anything else is a failure of the test
            pg.executeIn(db, "SELECT pg_drop_replication_slot('toast_kafka') FROM pg_replication_slots WHERE slot_name = 'toast_kafka' AND NOT active");
        }
        ChangeEvent defaultUpdate = events.stream()
                .filter(e -> e.op() == Op.UPDATE && e.table().table().equals("toast_default")).findFirst().orElseThrow();
        assertSame(Unchanged.VALUE, defaultUpdate.after().get("big"), "the source marks the value it never received");

        KafkaSink sink = KafkaSink.builder().bootstrapServers(broker.bootstrapServers()).topicPrefix("toast").build();
        try (SinkWriter writer = sink.openWriter(0, 1)) {
            for (ChangeEvent e : events) writer.write(e, 1);
            writer.prepare(1);
        }

        JsonNode fullUpdate = updateOf(broker.readAll("toast.public.toast_full", Duration.ofSeconds(30)));
        assertEquals(big, fullUpdate.path("after").path("big").asText(), "REPLICA IDENTITY FULL: the real value");
        assertFalse(fullUpdate.toString().contains(ToastPlaceholder.TEXT));

        JsonNode placeholderUpdate = updateOf(broker.readAll("toast.public.toast_default", Duration.ofSeconds(30)));
        assertEquals(ToastPlaceholder.TEXT, placeholderUpdate.path("after").path("big").asText(),
                "default identity: the field as Debezium sends it");
        assertEquals(2, placeholderUpdate.path("after").path("n").asInt(), "the changed column is there");
    }

    private static JsonNode updateOf(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() == null) continue;
            JsonNode payload = JSON.readTree(r.value()).path("payload");
            if (payload.path("op").asText().equals("u")) return payload;
        }
        throw new AssertionError("no update among " + records.size() + " records");
    }
}
