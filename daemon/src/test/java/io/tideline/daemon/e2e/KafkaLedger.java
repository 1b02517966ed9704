package io.tideline.daemon.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.api.Position;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Everything Tideline wrote to the workload's topics, read continuously from the beginning, and what it says:
 * changes per key, records per source transaction, position order per partition.
 */
final class KafkaLedger implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    final Map<String, List<String>> changesPerKey = new HashMap<>();
    final Map<Long, Long> seqByCommitLsn = new HashMap<>();
    private int snapshotRecords;
    final Map<Long, Integer> recordsByCommitLsn = new HashMap<>();
    final List<String> violations = new ArrayList<>();
    private final Map<TopicPartition, Position> lastPosition = new HashMap<>();
    private final Map<TopicPartition, Boolean> lastWasDelete = new HashMap<>();

    KafkaLedger(String bootstrap, List<String> topics, int partitionsPerTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p);
        for (String t : topics) {
            for (int i = 0; i < partitionsPerTopic; i++) partitions.add(new TopicPartition(t, i));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads until every partition's position reached its end offset as of now. */
    void catchUp() {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("could not read up to " + end);
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) accept(r);
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Header h = r.headers().lastHeader("tideline.position");
        Header epoch = r.headers().lastHeader("tideline.epoch");
        if (h == null || epoch == null) {
            violations.add(tp + "@" + r.offset() + " lacks tideline.position/tideline.epoch headers");
            return;
        }
        Position pos = Position.parse(new String(h.value(), StandardCharsets.UTF_8));
        Position prev = lastPosition.get(tp);
        boolean tombstone = r.value() == null;
        if (tombstone) {
            if (!pos.equals(prev) || !Boolean.TRUE.equals(lastWasDelete.get(tp))) {
                violations.add(tp + "@" + r.offset() + ": tombstone at " + pos + " does not follow its delete (previous " + prev + ")");
            }
            lastWasDelete.put(tp, false);
            return;
        }
        if (prev != null && !pos.isAfter(prev)) {
            violations.add(tp + "@" + r.offset() + ": position " + pos + " does not increase over " + prev);
        }
        lastPosition.put(tp, pos);
        try {
            JsonNode payload = JSON.readTree(r.value()).path("payload");
            JsonNode key = JSON.readTree(r.key()).path("payload");
            String op = payload.path("op").asText();
            String table = payload.path("source").path("table").asText();
            long id = key.path("id").asLong();
            lastWasDelete.put(tp, op.equals("d"));
            String change = op.equals("d") ? "d" : op + ":" + payload.path("after").path("tx_seq").asLong();
            changesPerKey.computeIfAbsent(table + ":" + id, k -> new ArrayList<>()).add(change);
            if (op.equals("r")) {
                // the snapshot (sequence 0) arrives in chunks, each at its own watermark LSN
                snapshotRecords++;
            } else {
                recordsByCommitLsn.merge(pos.commitLsn(), 1, Integer::sum);
                if (table.equals("ticks")) seqByCommitLsn.put(pos.commitLsn(), payload.path("after").path("tx_seq").asLong());
            }
        } catch (Exception e) {
            violations.add(tp + "@" + r.offset() + ": unreadable record: " + e);
        }
    }

    /** Sequence number → how many of its row changes Kafka holds. */
    Map<Long, Integer> recordsPerSeq() {
        Map<Long, Integer> out = new HashMap<>();
        seqByCommitLsn.forEach((lsn, seq) -> out.put(seq, recordsByCommitLsn.getOrDefault(lsn, 0)));
        if (snapshotRecords > 0) out.put(0L, snapshotRecords);
        return out;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
