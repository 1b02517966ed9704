package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaBrokerIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static KafkaBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = KafkaBroker.startNew();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
            assertFalse(Files.exists(kafka.dir()), "broker dir left behind: " + kafka.dir());
        }
    }

    @Test
    void producedRecordsAreReadBackFromEveryPartitionInOrder() throws Exception {
        kafka.createTopic("round-trip", 3);
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("round-trip", i % 3, bytes("k" + i), bytes("v" + i)))
                        .get(10, TimeUnit.SECONDS);
            }
        }

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll("round-trip", TIMEOUT);

        assertEquals(30, records.size());
        assertEquals(3, records.stream().map(ConsumerRecord::partition).distinct().count());
        List<String> partitionZero = records.stream().filter(r -> r.partition() == 0).map(r -> text(r.value())).toList();
        assertEquals(List.of("v0", "v3", "v6", "v9", "v12", "v15", "v18", "v21", "v24", "v27"), partitionZero);
    }

    @Test
    void readAllSkipsAbortedTransactionsUnlessAskedForEverything() throws Exception {
        kafka.createTopic("tx", 1);
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "t1"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", bytes("committed")));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", bytes("aborted")));
            producer.flush();
            producer.abortTransaction();
        }

        assertEquals(List.of("committed"), kafka.readAll("tx", TIMEOUT).stream().map(r -> text(r.value())).toList());
        assertEquals(List.of("committed", "aborted"),
                kafka.readAll("tx", TIMEOUT, false).stream().map(r -> text(r.value())).toList());
    }

    @Test
    void killThenStartKeepsAcknowledgedRecordsOnTheSameAddress() throws Exception {
        kafka.createTopic("survivor", 1);
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>("survivor", bytes("before-kill"))).get(10, TimeUnit.SECONDS);
        }
        String address = kafka.bootstrapServers();

        kafka.kill();
        assertFalse(kafka.isRunning());
        kafka.start();

        assertEquals(address, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = producer(Map.of())) {
            producer.send(new ProducerRecord<>("survivor", bytes("after-start"))).get(30, TimeUnit.SECONDS);
        }
        assertEquals(List.of("before-kill", "after-start"),
                kafka.readAll("survivor", TIMEOUT).stream().map(r -> text(r.value())).toList());
    }

    @Test
    void gracefulStopThenStartKeepsTopics() throws Exception {
        kafka.createTopic("graceful", 2);
        kafka.stop();
        assertFalse(kafka.isRunning());
        kafka.start();
        assertTrue(kafka.isRunning());
        try (var admin = kafka.admin()) {
            assertEquals(2, admin.describeTopics(List.of("graceful")).allTopicNames().get(30, TimeUnit.SECONDS)
                    .get("graceful").partitions().size());
        }
    }

    @Test
    void readingAMissingTopicFailsWithItsName() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> kafka.readAll("no-such-topic", Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("no-such-topic"), e.getMessage());
    }

    private static KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0));
        props.putAll(extra);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
