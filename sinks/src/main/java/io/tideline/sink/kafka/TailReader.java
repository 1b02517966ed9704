package io.tideline.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.api.Position;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code tideline.position} of the last record of a partition: what the partition already holds, so a
 * replay can skip it. Tideline writes each partition from one writer, in position order, with an idempotent
 * producer, so the last record carries the highest position (a tombstone repeats its delete's position).
 */
final class TailReader implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Consumer<byte[], byte[]> consumer;

    TailReader(Map<String, Object> consumerConfig) {
        this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * What the partition's last record says.
     *
     * @param position       the highest position the partition holds, {@link Position#ZERO} when empty
     * @param unfinishedDelete the last record when it is a delete whose tombstone never made it (a crash between
     *                       the two sends), else null
     */
    record Tail(Position position, ConsumerRecord<byte[], byte[]> unfinishedDelete, String source) {
    }

    /** The tail of the partition. */
    Tail read(TopicPartition tp) {
        List<TopicPartition> one = List.of(tp);
        consumer.assign(one);
        long begin = consumer.beginningOffsets(one, TIMEOUT).get(tp);
        long end = consumer.endOffsets(one, TIMEOUT).get(tp);
        if (end <= begin) return new Tail(Position.ZERO, null, null);
        long last = end - 1;
        consumer.seek(tp, last);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                if (r.offset() == last) {
                    Header source = r.headers().lastHeader(KafkaHeaders.SOURCE);
                    return new Tail(positionOf(r), isDelete(r) ? r : null,
                            source == null || source.value() == null ? null : new String(source.value(), StandardCharsets.UTF_8));
                }
            }
            if (consumer.position(tp, TIMEOUT) >= end) {
                // Offset end-1 is no data record: a transaction marker, which only a transactional producer writes.
                throw foreign(tp, last);
            }
        }
        throw new IllegalStateException("Cannot read the last record of topic " + tp.topic() + " partition "
                + tp.partition() + " (offset " + last + ") within " + TIMEOUT.toSeconds() + " s. Check that the brokers are "
                + "reachable; Tideline must know what the partition holds before it writes to it.");
    }

    /**
     * The positions the partition holds after {@code acknowledged}, in offset order, read backwards from its end in
     * growing steps until a record at or before {@code acknowledged} (or the start) is reached. Tombstones, which
     * repeat their delete's position, and records of another source cluster are left out.
     */
    HeldSuffix suffix(TopicPartition tp, Position acknowledged, String source) {
        List<TopicPartition> one = List.of(tp);
        consumer.assign(one);
        long begin = consumer.beginningOffsets(one, TIMEOUT).get(tp);
        long end = consumer.endOffsets(one, TIMEOUT).get(tp);
        java.util.ArrayDeque<List<HeldSuffix.Held>> chunks = new java.util.ArrayDeque<>();
        long from = end;
        long step = 256;
        while (from > begin) {
            long start = Math.max(begin, from - step);
            List<HeldSuffix.Held> chunk = positions(tp, start, from, source);
            chunks.addFirst(chunk);
            if (acknowledged != null && chunk.stream().anyMatch(h -> !h.position().isAfter(acknowledged))) break;
            from = start;
            step = Math.min(step * 4, 1 << 20);
        }
        HeldSuffix suffix = new HeldSuffix();
        for (List<HeldSuffix.Held> chunk : chunks) {
            for (HeldSuffix.Held h : chunk) {
                if (acknowledged == null || h.position().isAfter(acknowledged)) suffix.add(h.position(), h.offset());
            }
        }
        return suffix;
    }

    /** Position and offset of the records at offsets [from, to) of {@code source}, tombstones left out. */
    private List<HeldSuffix.Held> positions(TopicPartition tp, long from, long to, String source) {
        List<HeldSuffix.Held> held = new java.util.ArrayList<>();
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (consumer.position(tp, TIMEOUT) < to) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Cannot read topic " + tp.topic() + " partition " + tp.partition()
                        + " offsets " + from + " to " + to + " within " + TIMEOUT.toSeconds() + " s. Check that the brokers"
                        + " are reachable; Tideline checks what an earlier attempt wrote before it replays.");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
                if (r.offset() >= to || r.value() == null) continue;
                Header h = r.headers().lastHeader(KafkaHeaders.SOURCE);
                String recordSource = h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
                if (source != null && recordSource != null && !source.equals(recordSource)) continue;
                held.add(new HeldSuffix.Held(positionOf(r), r.offset()));
            }
        }
        return held;
    }

    /** A delete's envelope has op "d", at the top (schemas.enable=false) or under payload (true). */
    static boolean isDelete(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) return false;
        try {
            JsonNode root = JSON.readTree(r.value());
            JsonNode envelope = root.has("payload") && root.has("schema") ? root.get("payload") : root;
            return "d".equals(envelope.path("op").asText(null));
        } catch (java.io.IOException e) {
            return false; // not JSON: not a Tideline envelope, and its position header was checked already
        }
    }

    private static Position positionOf(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(KafkaHeaders.POSITION);
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (h == null || h.value() == null) throw foreign(tp, r.offset());
        String text = new String(h.value(), StandardCharsets.UTF_8);
        try {
            return Position.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("Cannot write to topic " + tp.topic() + " partition " + tp.partition()
                    + ": its last record (offset " + r.offset() + ") has an unreadable " + KafkaHeaders.POSITION
                    + " header '" + text + "'. Tideline must be the only writer of its topics; remove the foreign "
                    + "records or point Tideline at a new topic prefix.", e);
        }
    }

    static IllegalStateException foreign(TopicPartition tp, long offset) {
        return new IllegalStateException("Cannot write to topic " + tp.topic() + " partition " + tp.partition()
                + ": its last record (offset " + offset + ") has no " + KafkaHeaders.POSITION + " header, so another "
                + "producer writes to it. Tideline must be the only writer of its topics; stop the other producer and "
                + "point Tideline at a new topic prefix (tideline.sink.kafka.topic.prefix), or delete the topic.");
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
