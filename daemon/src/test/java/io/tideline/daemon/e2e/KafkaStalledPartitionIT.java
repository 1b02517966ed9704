package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.api.Position;
import io.tideline.testkit.FreePorts;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import io.tideline.testkit.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 1, at its worst moment: a two-node cluster whose second node (leader of partition 1) sits behind a
 * TCP proxy. Under a steady load the proxy cuts that node off for longer than the producer's delivery timeout while
 * partition 0 keeps taking writes, then the link comes back with every connection through it reset. Sends to
 * partition 1 expire, which is where an idempotent producer can leave a hole (later batches of the partition get in
 * after an earlier one expired). Afterwards every change is in Kafka exactly once, in order per key, and the last
 * event per key equals PostgreSQL.
 */
class KafkaStalledPartitionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "stall.public.t";

    @TempDir
    Path dir;

    @Test
    void aPartitionCutOffPastTheDeliveryTimeoutWhileTheOtherFlowsEndsWithEveryChangeOnceInOrder() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        String db = pg.createDatabase("stall");
        pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)");
        int secondPort = FreePorts.next();
        try (KafkaBroker first = KafkaBroker.startNew(); TcpProxy link = TcpProxy.to(secondPort);
             KafkaBroker second = KafkaBroker.startJoining(first, secondPort, link.port())) {
            try (Admin admin = first.admin()) {
                admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1), 1, List.of(2)))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            List<String> lines = E2e.config(pg, db, "stall", dir.resolve("state"), first, "stall");
            lines.addAll(List.of("tideline.source.table.include.list=public.t", "tideline.runtime.epoch.duration=2s",
                    "tideline.sink.kafka.topic.partitions=2", "tideline.sink.kafka.schemas.enable=false",
                    "tideline.sink.kafka.producer.delivery.timeout.ms=5000",
                    "tideline.sink.kafka.producer.request.timeout.ms=2000",
                    "tideline.sink.kafka.producer.linger.ms=5",
                    "tideline.runtime.restart.backoff.initial=200ms", "tideline.runtime.restart.backoff.max=2s"));
            Path config = E2e.write(dir.resolve("stall.properties"), lines);
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon.log")); Load load = new Load(pg, db)) {
                String base = E2e.httpBase(daemon, dir.resolve("daemon.log"));
                // once ready (the empty table's snapshot done), every row version arrives through the stream
                E2e.await(() -> E2e.get(base + "/health/ready").status() == 200, daemon, Duration.ofSeconds(60), "ready");
                load.start();
                E2e.await(() -> endOffset(first, 0) > 20 && endOffset(first, 1) > 20, daemon, Duration.ofSeconds(60),
                        "changes in both partitions");

                link.stall();
                long p0AtStall = endOffset(first, 0);
                Thread.sleep(3_000);
                long p0Later = endOffset(first, 0);
                // the worst moment: the link comes back right after the first batch for partition 1 expired, while
                // later batches of that partition are still queued or in flight behind it
                daemon.awaitLine("a send failed (org.apache.kafka.common.errors.TimeoutException", Duration.ofSeconds(60));
                link.resume();
                Thread.sleep(2_000);
                link.stall(); // and once more, with the replay under way
                Thread.sleep(7_000);
                assertTrue(daemon.isAlive(), "an unreachable leader is an outage to wait out:\n" + daemon.tail());
                link.resume();

                Thread.sleep(4_000);
                load.stop();
                pg.executeIn(db, "INSERT INTO t VALUES (-1, 0)");
                E2e.await(() -> ids(first).contains(-1), daemon, Duration.ofSeconds(120), "the last row in Kafka");
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), "graceful stop exits 0:\n" + daemon.tail());
                assertTrue(p0Later > p0AtStall, "partition 0 kept taking writes while partition 1's leader was cut off ("
                        + p0AtStall + " -> " + p0Later + ")");
                assertTrue(load.transactions() > 300, "the load ran: " + load.transactions());
            }
            checkEveryChangeOnceInOrder(pg, db, first);
        } finally {
            E2e.dropSlot(pg, db, "stall");
        }
    }

    private static void checkEveryChangeOnceInOrder(PostgresCluster pg, String db, KafkaBroker kafka) throws Exception {
        Map<Integer, Integer> expected = new HashMap<>();
        try (Connection c = pg.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, v FROM t")) {
            while (rs.next()) expected.put(rs.getInt(1), rs.getInt(2));
        }
        Map<Integer, List<Integer>> versions = new HashMap<>();
        Map<Integer, Position> lastPerPartition = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(TOPIC, Duration.ofSeconds(60))) {
            Header h = r.headers().lastHeader("tideline.position");
            Position p = Position.parse(new String(h.value(), StandardCharsets.UTF_8));
            Position before = lastPerPartition.put(r.partition(), p);
            if (before != null && !p.isAfter(before)) problems.add("partition " + r.partition() + ": " + p + " after " + before);
            JsonNode v = JSON.readTree(r.value());
            versions.computeIfAbsent(v.get("after").get("id").asInt(), k -> new ArrayList<>()).add(v.get("after").get("v").asInt());
        }
        for (var e : expected.entrySet()) {
            List<Integer> got = versions.get(e.getKey());
            List<Integer> want = new ArrayList<>();
            for (int i = 0; i <= e.getValue(); i++) want.add(i);
            if (!want.equals(got)) problems.add("key " + e.getKey() + ": PostgreSQL went through " + want + ", Kafka holds " + got);
        }
        assertTrue(problems.isEmpty(), problems.size() + " problems, e.g. " + problems.stream().limit(10).toList());
        assertEquals(expected.keySet(), versions.keySet(), "every key once");
    }

    private static long endOffset(KafkaBroker kafka, int partition) throws Exception {
        try (Admin admin = kafka.admin()) {
            TopicPartition tp = new TopicPartition(TOPIC, partition);
            return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(20, TimeUnit.SECONDS).get(tp).offset();
        }
    }

    private static java.util.Set<Integer> ids(KafkaBroker kafka) throws Exception {
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(TOPIC, Duration.ofSeconds(30))) {
            ids.add(JSON.readTree(r.value()).get("after").get("id").asInt());
        }
        return ids;
    }

    /** Each transaction inserts a key at version 0 or moves an existing key to its next version. */
    private static final class Load implements AutoCloseable {
        private final PostgresCluster pg;
        private final String db;
        private final AtomicLong transactions = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stop;
        private Thread thread;

        Load(PostgresCluster pg, String db) {
            this.pg = pg;
            this.db = db;
        }

        void start() {
            thread = new Thread(() -> {
                Random random = new Random(11);
                try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                    int next = 1;
                    while (!stop) {
                        if (next < 50 || random.nextInt(3) == 0) s.execute("INSERT INTO t VALUES (" + (next++) + ", 0)");
                        else s.execute("UPDATE t SET v = v + 1 WHERE id = " + (1 + random.nextInt(next - 1)));
                        transactions.incrementAndGet();
                        Thread.sleep(10);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "stall-load");
            thread.start();
        }

        long transactions() {
            return transactions.get();
        }

        void stop() throws InterruptedException {
            stop = true;
            if (thread != null) thread.join(30_000);
            if (thread != null && thread.isAlive()) throw new AssertionError("the load did not stop within 30 s");
            if (failure.get() != null) throw new AssertionError("the load failed", failure.get());
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
