package io.tideline.sink.kafka;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.FieldType.Kind;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.SinkWriter;
import io.tideline.api.TableId;
import io.tideline.testkit.KafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kafka sink against a real KRaft broker: records, headers, the tail fence, ownership, failures. */
class KafkaSinkIT {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final FieldType KEY = FieldType.struct("src.public.orders.Key", false,
            List.of(new Field("id", FieldType.of(Kind.INT32, false))));
    private static final FieldType VALUE = FieldType.struct("src.public.orders.Value", true, List.of(
            new Field("id", FieldType.of(Kind.INT32, false)), new Field("note", FieldType.of(Kind.STRING, true))));

    private static KafkaBroker broker;

    @BeforeAll
    static void broker() {
        broker = KafkaBroker.shared();
    }

    static ChangeEvent change(long lsn, long index, Op op, int id, String note) {
        Row key = new Row(KEY, new Object[]{id});
        Row image = new Row(VALUE, new Object[]{id, note});
        Row before = op == Op.DELETE || op == Op.UPDATE ? image : null;
        Row after = op == Op.DELETE ? null : image;
        return new ChangeEvent(ORDERS, op, key, before, after, null, new Position(lsn, index),
                System.currentTimeMillis() - 5, true);
    }

    private static KafkaSink.Builder sink(String prefix) {
        return KafkaSink.builder().bootstrapServers(broker.bootstrapServers()).topicPrefix(prefix).schemasEnable(false);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        assertNotNull(h, "header " + name + " on offset " + r.offset());
        return new String(h.value(), StandardCharsets.UTF_8);
    }

    private static List<Position> positions(List<ConsumerRecord<byte[], byte[]>> records) {
        List<Position> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (r.value() != null) out.add(Position.parse(header(r, KafkaHeaders.POSITION)));
        }
        return out;
    }

    @Test
    void writesDebeziumJsonWithPositionAndEpochHeadersAndATombstoneAfterEachDelete() throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (KafkaSink sink = sink("it1").meterRegistry(metrics).build(); SinkWriter w = sink.openWriter(0, 1)) {
            w.write(change(100, 0, Op.CREATE, 1, "a"), 7);
            w.write(change(100, 1, Op.CREATE, 2, "b"), 7);
            w.write(change(200, 0, Op.UPDATE, 1, "a2"), 7);
            w.write(change(300, 0, Op.DELETE, 2, "b"), 8);
            assertEquals(new Position(300, 0), w.prepare(8));
            assertEquals(4, metrics.find(AckLatency.METRIC).tag("table", "public.orders").timer().count(),
                    "one commit->ack sample per change, none for the tombstone");
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll("it1.public.orders", READ_TIMEOUT);
        assertEquals(5, records.size());
        ConsumerRecord<byte[], byte[]> first = records.get(0);
        assertEquals("{\"id\":1}", new String(first.key(), StandardCharsets.UTF_8));
        String value = new String(first.value(), StandardCharsets.UTF_8);
        assertTrue(value.startsWith("{\"before\":null,\"after\":{\"id\":1,\"note\":\"a\"},\"source\":{"), value);
        assertTrue(value.contains("\"op\":\"c\""), value);
        assertEquals("100/0", header(first, "tideline.position"));
        assertEquals("7", header(first, "tideline.epoch"));

        ConsumerRecord<byte[], byte[]> delete = records.get(3);
        ConsumerRecord<byte[], byte[]> tombstone = records.get(4);
        assertTrue(new String(delete.value(), StandardCharsets.UTF_8).contains("\"op\":\"d\""));
        assertNull(tombstone.value(), "a tombstone has a null value");
        assertArrayEquals(delete.key(), tombstone.key());
        assertEquals("300/0", header(tombstone, "tideline.position"));
        assertEquals("8", header(tombstone, "tideline.epoch"));
        assertEquals(header(delete, "tideline.position"), header(tombstone, "tideline.position"));
    }

    @Test
    void aLoneChangeIsInKafkaOnceTheWriterIdlesNotWhenTheLingerEnds() throws Exception {
        try (KafkaSink sink = sink("idle").producerProperties(Map.of("linger.ms", "60000")).build();
             SinkWriter w = sink.openWriter(0, 1)) {
            w.write(change(100, 0, Op.CREATE, 1, "a"), 1);
            long start = System.nanoTime();
            w.idle();
            List<Position> seen = List.of();
            while (seen.isEmpty() && System.nanoTime() - start < Duration.ofSeconds(20).toNanos()) {
                seen = positions(broker.readAll("idle.public.orders", READ_TIMEOUT));
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(List.of(new Position(100, 0)), seen,
                    "the change left the producer when the writer idled, not after its 60 s linger (" + ms + " ms)");
            w.write(change(200, 0, Op.UPDATE, 1, "b"), 1);
            assertEquals(new Position(200, 0), w.prepare(1));
        }
        assertEquals(List.of(new Position(100, 0), new Position(200, 0)),
                positions(broker.readAll("idle.public.orders", READ_TIMEOUT)));
    }

    @Test
    void aReplayThatFindsALaterChangeHeldButAnEarlierOneMissingStopsNamingTopicPartitionAndPositions() throws Exception {
        try (KafkaSink sink = sink("gap").build(); SinkWriter w = sink.openWriter(0, 1)) {
            w.replayFrom(null);
            for (int i = 1; i <= 5; i++) w.write(change(2000 + i, 0, Op.CREATE, i, "v" + i), 1);
            assertEquals(new Position(2005, 0), w.prepare(1));
            // epoch 2 of a failed attempt: 2006 was lost (expired, refused), 2007 and 2008 got in behind it
            w.write(change(2007, 0, Op.CREATE, 7, "v7"), 2);
            w.write(change(2008, 0, Op.CREATE, 8, "v8"), 2);
            w.prepare(2);
        }
        try (KafkaSink sink = sink("gap").build(); SinkWriter w = sink.openWriter(0, 1)) {
            w.replayFrom(new Position(2005, 0));
            KafkaGapException e = assertThrows(KafkaGapException.class,
                    () -> w.write(change(2006, 0, Op.CREATE, 6, "v6"), 2));
            assertTrue(e.getMessage().startsWith("Cannot replay into Kafka topic gap.public.orders partition 0: it holds"
                    + " position 2007/0 (offset 5) but not the earlier change at position 2006/0."), e.getMessage());
        }
        assertEquals(List.of(new Position(2001, 0), new Position(2002, 0), new Position(2003, 0), new Position(2004, 0),
                new Position(2005, 0), new Position(2007, 0), new Position(2008, 0)),
                positions(broker.readAll("gap.public.orders", READ_TIMEOUT)), "nothing written past the hole");
    }

    @Test
    void aReplayThatFindsEveryHeldChangeAgainSkipsThemAndWritesOnlyWhatFollows() throws Exception {
        try (KafkaSink sink = sink("suffix").build(); SinkWriter w = sink.openWriter(0, 1)) {
            w.replayFrom(null);
            for (int i = 1; i <= 3; i++) w.write(change(3000 + i, 0, Op.CREATE, i, "v" + i), 1);
            w.prepare(1);
            for (int i = 4; i <= 6; i++) w.write(change(3000 + i, 0, Op.CREATE, i, "v" + i), 2);
            w.write(change(3006, 1, Op.DELETE, 1, "v1"), 2);   // a delete and its tombstone share a position
            w.prepare(2);
        }
        try (KafkaSink sink = sink("suffix").build(); SinkWriter w = sink.openWriter(0, 1)) {
            w.replayFrom(new Position(3003, 0));
            for (int i = 4; i <= 6; i++) w.write(change(3000 + i, 0, Op.CREATE, i, "v" + i), 2);
            w.write(change(3006, 1, Op.DELETE, 1, "v1"), 2);
            w.write(change(3007, 0, Op.CREATE, 7, "v7"), 3);
            assertEquals(new Position(3007, 0), w.prepare(3));
            assertEquals(4, ((KafkaSinkWriter) w).skipped(), "4, 5, 6 and the delete were held");
        }
        List<Position> expected = new ArrayList<>();
        for (int i = 1; i <= 6; i++) expected.add(new Position(3000 + i, 0));
        expected.add(new Position(3006, 1));
        expected.add(new Position(3007, 0));
        assertEquals(expected, positions(broker.readAll("suffix.public.orders", READ_TIMEOUT)));
    }

    @Test
    void replayAfterARestartSkipsWhatKafkaHoldsLeavingNoDuplicateAndNoGap() throws Exception {
        try (KafkaSink sink = sink("it2").build(); SinkWriter w = sink.openWriter(0, 1)) {
            for (int i = 1; i <= 10; i++) w.write(change(1000 + i, 0, Op.CREATE, i, "v" + i), 1);
            assertEquals(new Position(1010, 0), w.prepare(1));
            // Sent in epoch 2 but the process "dies" before the epoch commits: Kafka holds them anyway.
            for (int i = 11; i <= 13; i++) w.write(change(1000 + i, 0, Op.UPDATE, i - 10, "w" + i), 2);
        }
        try (KafkaSink sink = sink("it2").build(); SinkWriter w = sink.openWriter(0, 1)) {
            // The source replays from the last committed epoch (after 1010/0), and a little before it too.
            for (int i = 6; i <= 20; i++) {
                Op op = i <= 10 ? Op.CREATE : Op.UPDATE;
                w.write(change(1000 + i, 0, op, i <= 10 ? i : i - 10, "w" + i), 3);
            }
            assertEquals(new Position(1020, 0), w.prepare(3));
            assertEquals(8, ((KafkaSinkWriter) w).skipped(), "6..13 were already in Kafka");
        }
        List<Position> held = positions(broker.readAll("it2.public.orders", READ_TIMEOUT));
        List<Position> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) expected.add(new Position(1000 + i, 0));
        assertEquals(expected, held, "every change exactly once, in position order");
    }

    @Test
    void aDeleteLeftWithoutItsTombstoneByACrashGetsItWhenTheWriterReopens() throws Exception {
        try (KafkaSink sink = sink("it6").tombstones(false).build(); SinkWriter w = sink.openWriter(0, 1)) {
            w.write(change(10, 0, Op.CREATE, 1, "a"), 1);
            w.write(change(20, 0, Op.DELETE, 1, "a"), 1); // as if the process died before sending its tombstone
            w.prepare(1);
        }
        try (KafkaSink sink = sink("it6").build(); SinkWriter w = sink.openWriter(0, 1)) {
            w.write(change(20, 0, Op.DELETE, 1, "a"), 2); // the replay: already held, skipped
            w.write(change(30, 0, Op.CREATE, 1, "b"), 2);
            assertEquals(new Position(30, 0), w.prepare(2));
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll("it6.public.orders", READ_TIMEOUT);
        assertEquals(4, records.size());
        assertNull(records.get(2).value(), "the owed tombstone follows its delete");
        assertEquals("20/0", header(records.get(2), KafkaHeaders.POSITION));
        assertEquals("1", header(records.get(2), KafkaHeaders.EPOCH), "it carries the delete's headers");
        assertEquals("30/0", header(records.get(3), KafkaHeaders.POSITION));
    }

    @Test
    void aForeignRecordAtThePartitionTailIsRefusedWithAClearError() throws Exception {
        broker.createTopic("it3.public.orders", 1);
        try (KafkaProducer<byte[], byte[]> foreign = new KafkaProducer<>(
                Map.of("bootstrap.servers", broker.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            foreign.send(new ProducerRecord<>("it3.public.orders", 0, null, "{\"id\":1}".getBytes(StandardCharsets.UTF_8),
                    "{}".getBytes(StandardCharsets.UTF_8))).get();
        }
        try (KafkaSink sink = sink("it3").build(); SinkWriter w = sink.openWriter(0, 1)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> w.write(change(5, 0, Op.CREATE, 1, "x"), 1));
            assertTrue(e.getMessage().startsWith("Cannot write to topic it3.public.orders partition 0: its last record"
                    + " (offset 0) has no tideline.position header, so another producer writes to it. Tideline must be"
                    + " the only writer of its topics;"), e.getMessage());
        }
        assertEquals(1, broker.readAll("it3.public.orders", READ_TIMEOUT).size(), "nothing was written");
    }

    @Test
    void severalWritersOwnDisjointPartitionsAndEachKeyStaysInOnePartitionInOrder() throws Exception {
        int writers = 3;
        int partitions = 4;
        List<ChangeEvent> changes = new ArrayList<>();
        long lsn = 5000;
        for (int round = 0; round < 3; round++) {
            for (int id = 1; id <= 20; id++) {
                Op op = round == 0 ? Op.CREATE : round == 1 ? Op.UPDATE : (id % 4 == 0 ? Op.DELETE : Op.UPDATE);
                changes.add(change(lsn, id, op, id, "r" + round));
            }
            lsn += 10;
        }
        Map<Integer, Position> prepared = new HashMap<>();
        try (KafkaSink sink = sink("it4").partitionsPerTopic(partitions).build()) {
            List<SinkWriter> ws = new ArrayList<>();
            for (int i = 0; i < writers; i++) ws.add(sink.openWriter(i, writers));
            for (ChangeEvent c : changes) ws.get(sink.writerFor(c, writers)).write(c, 1);
            for (int i = 0; i < writers; i++) prepared.put(i, ws.get(i).prepare(1));
            for (SinkWriter w : ws) w.close();
            try (Admin admin = broker.admin()) {
                assertEquals(partitions, admin.describeTopics(List.of("it4.public.orders")).allTopicNames().get()
                        .get("it4.public.orders").partitions().size());
            }
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll("it4.public.orders", READ_TIMEOUT);
        assertEquals(60 + 5, records.size(), "60 changes and 5 tombstones");
        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<Integer, ConsumerRecord<byte[], byte[]>> lastInPartition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertEquals(BuiltInPartitioner.partitionForKey(r.key(), partitions), r.partition(),
                    "partition is Kafka's default for the key");
            String key = new String(r.key(), StandardCharsets.UTF_8);
            assertEquals(partitionOfKey.computeIfAbsent(key, k -> r.partition()), r.partition(), "key " + key);
            ConsumerRecord<byte[], byte[]> previous = lastInPartition.put(r.partition(), r);
            if (previous != null && previous.offset() < r.offset()) {
                Position before = Position.parse(header(previous, KafkaHeaders.POSITION));
                Position now = Position.parse(header(r, KafkaHeaders.POSITION));
                boolean tombstoneOfPrevious = r.value() == null && now.equals(before);
                assertTrue(now.isAfter(before) || tombstoneOfPrevious,
                        "positions increase in partition " + r.partition() + ": " + before + " then " + now);
            }
        }
        assertTrue(partitionOfKey.values().stream().distinct().count() > 1, "keys spread over partitions");
        Position highest = prepared.values().stream().filter(p -> p != null).reduce(Position::max).orElseThrow();
        assertEquals(new Position(5020, 20), highest);
    }

    @Test
    void aBrokerCrashFailsTheEpochAndTheReplayResumesExactlyAfterWhatKafkaHolds() throws Exception {
        try (KafkaBroker own = KafkaBroker.startNew();
             KafkaSink sink = KafkaSink.builder().bootstrapServers(own.bootstrapServers()).topicPrefix("it5")
                     .producerProperties(Map.of("delivery.timeout.ms", "6000", "request.timeout.ms", "2000",
                             "max.block.ms", "5000"))
                     .build();
             SinkWriter w = sink.openWriter(0, 1)) {
            for (int i = 1; i <= 10; i++) w.write(change(i, 0, Op.CREATE, i, "v"), 1);
            assertEquals(new Position(10, 0), w.prepare(1));
            own.kill();
            // The failure surfaces in write (no metadata) or in prepare (no ack): either way the epoch fails.
            assertThrows(KafkaSendException.class, () -> {
                for (int i = 11; i <= 15; i++) w.write(change(i, 0, Op.CREATE, i, "v"), 2);
                w.prepare(2);
            }, "an epoch whose sends failed must fail");
            own.start();
            for (int i = 11; i <= 20; i++) w.write(change(i, 0, Op.CREATE, i, "v"), 3);
            assertEquals(new Position(20, 0), w.prepare(3));
            List<Position> held = positions(own.readAll("it5.public.orders", READ_TIMEOUT));
            List<Position> expected = new ArrayList<>();
            for (int i = 1; i <= 20; i++) expected.add(new Position(i, 0));
            assertEquals(expected, held, "no duplicate and no gap across the broker crash");
        }
    }
}
