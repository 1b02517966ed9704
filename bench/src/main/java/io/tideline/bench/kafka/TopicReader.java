package io.tideline.bench.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every partition of one topic from the beginning (assign, no group) on its own thread and feeds
 * {@link Receipts} with the receive time of each poll, or, {@linkplain #appendTimes with append times}, with
 * each record's broker append time (the topic must use {@code message.timestamp.type=LogAppendTime}), which
 * lets a reader started after the writer finished still tell when each row became durable.
 */
final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Receipts receipts;
    private final Thread thread;
    private final boolean appendTimes;
    private volatile boolean running = true;
    private volatile Throwable failure;

    TopicReader(String bootstrap, String topic, Receipts receipts) {
        this(bootstrap, topic, receipts, false);
    }

    /** A reader that records each row at its broker append time instead of when it was received. */
    static TopicReader appendTimes(String bootstrap, String topic, Receipts receipts) {
        return new TopicReader(bootstrap, topic, receipts, true);
    }

    private TopicReader(String bootstrap, String topic, Receipts receipts, boolean appendTimes) {
        this.receipts = receipts;
        this.appendTimes = appendTimes;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-reader-" + topic),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("Cannot read topic " + topic + ": it has no partitions. Create it first.");
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = new Thread(this::loop, "bench-reader-" + topic);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long now = BenchClock.nowMicros();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    long[] row = RowJson.parse(r.value());
                    if (row != null) {
                        receipts.record(row[0], row[1], appendTimes ? appendMicros(r) : now);
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static long appendMicros(ConsumerRecord<byte[], byte[]> r) {
        if (r.timestampType() != TimestampType.LOG_APPEND_TIME) {
            throw new IllegalStateException("Cannot time record " + r.topic() + "-" + r.partition() + "@" + r.offset()
                    + ": its timestamp is " + r.timestampType() + ", not LogAppendTime. Create the topic with"
                    + " message.timestamp.type=LogAppendTime.");
        }
        return r.timestamp() * 1000;
    }

    /** Throws when the poll loop died. */
    void check() {
        if (failure != null) {
            throw new IllegalStateException("Cannot read the topic: " + failure + ".", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (!running) {
            return;
        }
        running = false;
        thread.join(10_000);
        if (failure != null) {
            throw new IllegalStateException("Cannot read the topic: " + failure + ". See the cause.", failure);
        }
    }
}
