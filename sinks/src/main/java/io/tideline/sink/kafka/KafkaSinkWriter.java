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
 * <p>After a send fails, the writer throws (the epoch fails), closes its producer and forgets what it sent; the next
 * write re-reads each partition's tail, so the runtime's replay resumes exactly after what Kafka holds.
 */
final class KafkaSinkWriter implements SinkWriter {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSinkWriter.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaSink sink;
    private final int index;
    private final int writers;
    private final EnvelopeSerializer serializer;
    private final TailReader tails;
    /** Per owned partition: the highest position sent (or held at the tail when nothing was sent yet). */
    private final Map<TopicPartition, Position> lastSent = new HashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private Producer<byte[], byte[]> producer;
    private long skipped;

    KafkaSinkWriter(KafkaSink sink, int index, int writers) {
        this.sink = sink;
        this.index = index;
        this.writers = writers;
        this.serializer = new EnvelopeSerializer(sink.schemasEnable());
        this.tails = new TailReader(sink.consumerConfig(index));
        this.producer = newProducer();
    }

    private Producer<byte[], byte[]> newProducer() {
        return new KafkaProducer<>(sink.producerConfig(index), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public void write(ChangeEvent event, long epoch) throws Exception {
        rethrowFailure();
        if (event.op() == Op.TRUNCATE) {
            truncate(event, epoch);
            return;
        }
        String topic = sink.topicFor(event.table());
        byte[] key = serializer.key(event, topic);
        int partition = sink.partitionOf(event, topic, serializer, key);
        int owner = Partitioning.writerFor(topic, partition, writers);
        if (owner != index) {
            throw new IllegalStateException("Cannot write " + event.table() + " at " + event.position() + " to topic "
                    + topic + " partition " + partition + ": writer " + owner + " of " + writers + " owns it, not writer "
                    + index + ". Route changes with KafkaSink.writerFor.");
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        Position held = held(tp);
        if (!event.position().isAfter(held)) {
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
        String topic = sink.topicFor(event.table());
        byte[] value = null;
        for (int p = 0, n = sink.partitions(topic); p < n; p++) {
            if (Partitioning.writerFor(topic, p, writers) != index) continue;
            TopicPartition tp = new TopicPartition(topic, p);
            if (!event.position().isAfter(held(tp))) {
                skipped++;
                continue;
            }
            if (value == null) value = serializer.truncate(event, topic, Instant.now());
            try {
                producer.send(new ProducerRecord<>(topic, p, null, null, value,
                        KafkaHeaders.of(event.position(), epoch, sink.sourceText())), acked(event.table(), event.commitTimeMs()));
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
        }
        return held;
    }

    private void send(TopicPartition tp, byte[] key, ChangeEvent event, long epoch) throws Exception {
        String topic = tp.topic();
        int partition = tp.partition();
        byte[] value = serializer.value(event, topic, Instant.now());
        try {
            producer.send(new ProducerRecord<>(topic, partition, null, key, value,
                    KafkaHeaders.of(event.position(), epoch, sink.sourceText())), acked(event.table(), event.commitTimeMs()));
            if (event.op() == Op.DELETE && sink.tombstones()) {
                producer.send(new ProducerRecord<>(topic, partition, null, key, null,
                        KafkaHeaders.of(event.position(), epoch, sink.sourceText())), acked(null, 0));
            }
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
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            rethrowFailure();
        }
    }

    private Callback acked(TableId table, long commitTimeMs) {
        return (metadata, exception) -> {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            } else if (table != null) {
                sink.latency().record(table, commitTimeMs, System.currentTimeMillis());
            }
        };
    }

    @Override
    public Position prepare(long epoch) throws Exception {
        rethrowFailure();
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
        failure.set(null);
        producer = newProducer();
    }

    @Override
    public void close() {
        try {
            producer.close(CLOSE_TIMEOUT);
        } finally {
            tails.close();
        }
        if (skipped > 0) LOG.info("Kafka writer {} skipped {} replayed change(s) that Kafka already held.", index, skipped);
    }
}
