package io.tideline.sink.kafka;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * Where a record goes. The Kafka partition is computed as Kafka's default partitioner does for a keyed record
 * (murmur2 of the serialized key), so consumers that rely on default partitioning see the same layout; a keyless
 * table hashes its serialized row instead. The writer owning a partition is derived from (topic, partition) only,
 * so a partition never has two writers, and a topic's partitions spread round-robin over the writers.
 */
final class Partitioning {

    private Partitioning() {
    }

    static int partitionFor(byte[] hashBasis, int partitions) {
        return Utils.toPositive(Utils.murmur2(hashBasis)) % partitions;
    }

    static int writerFor(String topic, int partition, int writers) {
        return writerFor(topicHash(topic), partition, writers);
    }

    /** {@link #writerFor(String, int, int)} with the topic's hash computed once ({@link #topicHash}). */
    static int writerFor(int topicHash, int partition, int writers) {
        return Math.floorMod(topicHash + partition, writers);
    }

    static int topicHash(String topic) {
        return Utils.murmur2(topic.getBytes(StandardCharsets.UTF_8));
    }
}
