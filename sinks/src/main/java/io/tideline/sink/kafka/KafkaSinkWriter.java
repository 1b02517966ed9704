package io.tideline.sink.kafka;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.SinkWriter;
import io.tideline.api.TableId;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One writer of the Kafka sink, with one idempotent producer. For each partition it owns it learns, on the first
 * change routed there, the position the partition's last record holds, and from then on sends only changes strictly
 * after the last position sent: a replay after a crash or a failed epoch writes nothing twice and, because the
 * idempotent producer keeps each partition a gap-free prefix, leaves no gap.
 *
 * <p>The idempotent producer keeps accepted batches in order, but not gap-free: a batch that expires or is refused
 * (too large) can be followed by later batches of the same partition that get in. So the first failed send closes
 * the producer at once ({@code close(Duration.ZERO)}: every batch not yet sent is dropped), the writer throws (the
 * epoch fails), and the replay that follows checks, per partition, that what the partition holds after the last
 * acknowledged position is exactly the start of the replayed changes. A replayed change that is missing while a
 * later one is held stops the daemon with {@link KafkaGapException} naming topic, partition and positions.
 */
final class KafkaSinkWriter implements SinkWriter {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSinkWriter.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaSink sink;
    private final int index;
    private final int writers;
    private final EnvelopeSerializer serializer;
    private final KafkaHeaders.Encoder headers = new KafkaHeaders.Encoder();
    private final TailReader tails;
    /** Per owned partition: the highest position sent (or held at the tail when nothing was sent yet). */
    private final Map<TopicPartition, Position> lastSent = new HashMap<>();
    /** Per owned partition: what it held after the acknowledged position when first met, not yet found again. */
    private final Map<TopicPartition, HeldSuffix> suffixes = new HashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    /** Set by {@link #replayFrom}: the suffix check is on. */
    private boolean replaying;
    private Position acknowledged;
    /** Volatile for the idle flusher's thread; replaced only on the writer's thread, after a failed send. */
    private volatile Producer<byte[], byte[]> producer;
    private final IdleFlusher flusher;
    /** Something was handed to the producer since the last flush: it may still linger there. */
    private boolean unflushed;
    private long skipped;

    KafkaSinkWriter(KafkaSink sink, int index, int writers) {
        this.sink = sink;
        this.index = index;
        this.writers = writers;
        this.serializer = new EnvelopeSerializer(sink.schemasEnable());
        this.tails = new TailReader(sink.consumerConfig(index));
        this.producer = newProducer();
        this.flusher = new IdleFlusher("tideline-kafka-flush-" + index, () -> producer);
    }

    private Producer<byte[], byte[]> newProducer() {
        return new KafkaProducer<>(sink.producerConfig(index), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void replayFrom(Position acknowledged) {
        this.replaying = true;
        this.acknowledged = acknowledged;
    }

    @Override
    public void write(ChangeEvent event, long epoch) throws Exception {
        rethrowFailure();
        if (event.op() == Op.TRUNCATE) {
            truncate(event, epoch);
            return;
        }
        KafkaSink.Route route = sink.route(event.table());
        String topic = route.topic();
        byte[] key = serializer.key(event, topic);
        int partition = sink.partitionOf(event, route, serializer, key);
        int owner = Partitioning.writerFor(route.topicHash(), partition, writers);
        if (owner != index) {
            throw new IllegalStateException("Cannot write " + event.table() + " at " + event.position() + " to topic "
                    + topic + " partition " + partition + ": writer " + owner + " of " + writers + " owns it, not writer "
                    + index + ". Route changes with KafkaSink.writerFor.");
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        Position held = held(tp);
        if (heldInSuffix(tp, event.position()) || !event.position().isAfter(held)) {
            skipped++;
            return;
        }
        send(tp, key, event, epoch);
    }

    /**
     * Debezium's truncate event (op "t", no key, no row images) on every partition of the table's topic this writer
     * owns: ordered before every later change of every key, and fenced per partition like any change.
     */
    private void truncate(ChangeEvent event, long epoch) throws Exception {
        KafkaSink.Route route = sink.route(event.table());
        String topic = route.topic();
        byte[] value = null;
        for (int p = 0; p < route.partitions(); p++) {
            if (Partitioning.writerFor(route.topicHash(), p, writers) != index) continue;
            TopicPartition tp = new TopicPartition(topic, p);
            Position held = held(tp);
            if (heldInSuffix(tp, event.position()) || !event.position().isAfter(held)) {
                skipped++;
                continue;
            }
            if (value == null) value = serializer.truncate(event, topic, Instant.now());
            try {
                producer.send(new ProducerRecord<>(topic, p, null, null, value,
                        headers.of(event.position(), epoch, sink.sourceText())), acked(event.table(), event.commitTimeMs()));
                unflushed = true;
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                rethrowFailure();
            }
            lastSent.put(tp, event.position());
        }
    }

    /** What the partition holds: read from its tail the first time this writer meets it. */
    private Position held(TopicPartition tp) throws KafkaSendException {
        Position held = lastSent.get(tp);
        if (held == null) {
            TailReader.Tail tail = tails.read(tp);
            held = sink.sourceFence(tp, tail);
            LOG.info("Kafka writer {} owns {}: it holds {}.", index, tp,
                    held.equals(Position.ZERO) ? "nothing yet" : "everything up to position " + held);
            if (tail.unfinishedDelete() != null && sink.tombstones()) finishDelete(tp, tail.unfinishedDelete());
            lastSent.put(tp, held);
            boolean sameSource = !held.equals(Position.ZERO) || tail.position().equals(Position.ZERO);
            if (replaying && sameSource && (acknowledged == null || held.isAfter(acknowledged))) {
                HeldSuffix suffix = tails.suffix(tp, acknowledged, sink.sourceText());
                if (!suffix.isEmpty()) {
                    LOG.info("Kafka writer {}: {} holds {} change(s) after the acknowledged position {} (offsets {} to {});"
                            + " the replay must find each of them again, in order.", index, tp, suffix.size(),
                            acknowledged == null ? "(none)" : acknowledged, suffix.head().offset(), tail.position());
                    suffixes.put(tp, suffix);
                }
            }
        }
        return held;
    }

    /**
     * Whether the partition already holds this replayed change (an earlier attempt wrote it); throws when it holds a
     * later change but not this one. Changes the replay goes past are dropped from the suffix with a warning: Kafka
     * holds them once, only the replay no longer produces them.
     */
    private boolean heldInSuffix(TopicPartition tp, Position position) {
        HeldSuffix suffix = suffixes.get(tp);
        if (suffix == null) return false;
        if (acknowledged != null && !position.isAfter(acknowledged)) return true;
        while (!suffix.isEmpty()) {
            HeldSuffix.Held head = suffix.head();
            int c = position.compareTo(head.position());
            if (c == 0) {
                suffix.pop();
                return true;
            }
            if (c < 0) {
                throw new KafkaGapException("Cannot replay into Kafka topic " + tp.topic() + " partition " + tp.partition()
                        + ": it holds position " + head.position() + " (offset " + head.offset() + ") but not the earlier"
                        + " change at position " + position + ". A send of an earlier attempt failed (a batch expired"
                        + " after delivery.timeout.ms, or was refused, e.g. too large) while later batches of the partition"
                        + " were accepted. Tideline stops rather than skip the change; the slot is not acknowledged past"
                        + " it. Consumers of this partition have not seen it: re-snapshot the table into new topics"
                        + " (tideline.sink.kafka.topic.prefix), or remove the records from offset " + head.offset() + " on.");
            }
            LOG.warn("Kafka writer {}: {} holds position {} (offset {}) that the replay does not produce again; it stays"
                    + " in the partition once.", index, tp, head.position(), head.offset());
            suffix.pop();
        }
        suffixes.remove(tp);
        return false;
    }

    private void send(TopicPartition tp, byte[] key, ChangeEvent event, long epoch) throws Exception {
        String topic = tp.topic();
        int partition = tp.partition();
        byte[] value = serializer.value(event, topic, Instant.now());
        try {
            producer.send(new ProducerRecord<>(topic, partition, null, key, value,
                    headers.of(event.position(), epoch, sink.sourceText())), acked(event.table(), event.commitTimeMs()));
            if (event.op() == Op.DELETE && sink.tombstones()) {
                producer.send(new ProducerRecord<>(topic, partition, null, key, null,
                        headers.of(event.position(), epoch, sink.sourceText())), acked(null, 0));
            }
            unflushed = true;
        } catch (RuntimeException e) {
            // A delete may be out without its tombstone: treat it as a failed send so the replay re-reads the tail.
            failure.compareAndSet(null, e);
            rethrowFailure();
        }
        lastSent.put(tp, event.position());
    }

    /** A crash between a delete and its tombstone left the delete last: send the tombstone it is owed. */
    private void finishDelete(TopicPartition tp, org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> delete)
            throws KafkaSendException {
        LOG.info("Kafka writer {}: the last record of {} (offset {}) is a delete without its tombstone; sending it.",
                index, tp, delete.offset());
        try {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, delete.key(), null, delete.headers()),
                    acked(null, 0));
            unflushed = true;
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            rethrowFailure();
        }
    }

    private Callback acked(TableId table, long commitTimeMs) {
        Producer<byte[], byte[]> sending = producer;
        return (metadata, exception) -> {
            if (exception != null) {
                if (failure.compareAndSet(null, exception)) {
                    LOG.warn("Kafka writer {}: a send failed ({}); its producer closes at once so no later batch gets in"
                            + " behind the lost one. The epoch fails and is replayed.", index, exception.toString());
                    // From the producer's I/O thread this closes at once: batches not yet sent are dropped, so fewer
                    // later changes of the partition get in behind the lost one (the replay's check finds any that did).
                    sending.close(Duration.ZERO);
                }
            } else if (table != null) {
                sink.latency().record(table, commitTimeMs, System.currentTimeMillis());
            }
        };
    }

    /**
     * The producer lingers ({@code linger.ms}) so that its batches fill while changes keep coming, as in a snapshot;
     * once they stop coming, what it holds goes at once and a lone streamed change waits for nothing. The flush runs
     * on the {@link IdleFlusher}'s thread, so this writer goes on with its other partitions meanwhile.
     */
    @Override
    public void idle() {
        if (!unflushed) return;
        unflushed = false;
        flusher.request();
    }

    @Override
    public Position prepare(long epoch) throws Exception {
        rethrowFailure();
        unflushed = false;
        producer.flush();
        rethrowFailure();
        Position highest = null;
        for (Position p : lastSent.values()) {
            if (!p.equals(Position.ZERO)) highest = Position.max(highest, p);
        }
        return highest;
    }

    /** Skipped replayed changes since the writer opened; for logs and tests. */
    long skipped() {
        return skipped;
    }

    private void rethrowFailure() throws KafkaSendException {
        Exception f = failure.get();
        if (f == null) return;
        reset();
        throw new KafkaSendException("Cannot make changes durable in Kafka (writer " + index + "): a send failed with "
                + f + ". The epoch fails; the writer re-reads each partition's last record before the replay.", f);
    }

    private void reset() {
        try {
            // Waits for in-flight requests so that the tails read next include everything the broker accepted.
            producer.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.warn("Kafka writer {}: closing the failed producer failed too: {}", index, e.toString());
        }
        lastSent.clear();
        suffixes.clear();
        failure.set(null);
        producer = newProducer();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            producer.close(CLOSE_TIMEOUT);
        } finally {
            try {
                tails.close();
            } finally {
                flusher.close();
            }
        }
        if (skipped > 0) LOG.info("Kafka writer {} skipped {} replayed change(s) that Kafka already held.", index, skipped);
    }
}
