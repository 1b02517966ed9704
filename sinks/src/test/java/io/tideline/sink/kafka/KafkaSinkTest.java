package io.tideline.sink.kafka;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.TableId;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builder, producer defaults, headers and metrics; no broker needed (the admin client connects lazily). */
class KafkaSinkTest {

    private static KafkaSink.Builder builder() {
        return KafkaSink.builder().bootstrapServers("127.0.0.1:1").topicPrefix("shop");
    }

    @Test
    void producerDefaultsAreLatencyFirstAndUserOverridesWin() throws Exception {
        try (KafkaSink sink = builder().producerProperties(Map.of("linger.ms", "3", "compression.type", "zstd",
                "batch.size", "16384")).build()) {
            Map<String, Object> c = sink.producerConfig(0);
            assertEquals("16384", c.get("batch.size"));
            assertEquals("3", c.get("linger.ms"));
            assertEquals("zstd", c.get("compression.type"));
            assertEquals("all", c.get("acks"));
            assertEquals("true", c.get("enable.idempotence"));
            assertEquals("1", c.get("max.in.flight.requests.per.connection"));
        }
        try (KafkaSink sink = builder().build()) {
            assertEquals("20", sink.producerConfig(0).get("linger.ms"), "batches gather while busy; idle() flushes");
            assertEquals("lz4", sink.producerConfig(0).get("compression.type"));
            assertEquals("1048576", sink.producerConfig(0).get("batch.size"));
            assertEquals("67108864", sink.producerConfig(0).get("buffer.memory"));
            assertEquals(Sink.Capability.RECORD_AT_A_TIME, sink.capability());
            assertEquals("kafka", sink.name());
        }
    }

    @Test
    void consumerOfTheTailGetsConnectionSettingsButNoProducerSettings() throws Exception {
        try (KafkaSink sink = builder().producerProperties(Map.of("security.protocol", "SSL", "acks", "1")).build()) {
            Map<String, Object> c = sink.consumerConfig(2);
            assertEquals("SSL", c.get("security.protocol"));
            assertFalse(c.containsKey("acks"));
            assertEquals("127.0.0.1:1", c.get("bootstrap.servers"));
        }
    }

    @Test
    void topicIsPrefixSchemaTableWithIllegalCharactersReplaced() throws Exception {
        try (KafkaSink sink = builder().build()) {
            assertEquals("shop.public.Orders", sink.topicFor(new TableId("public", "Orders")));
            assertEquals("shop.public.my_table_", sink.topicFor(new TableId("public", "my table$")));
        }
    }

    @Test
    void missingRequiredSettingsAreNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaSink.builder().topicPrefix("x").build());
        assertTrue(e.getMessage().contains("tideline.sink.kafka.bootstrap.servers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KafkaSink.builder().bootstrapServers("h:1").build());
        assertTrue(e.getMessage().contains("tideline.sink.kafka.topic.prefix"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> builder().partitionsPerTopic(0).build());
        assertTrue(e.getMessage().startsWith("Cannot build Kafka sink: partitions per topic is 0"), e.getMessage());
    }

    @Test
    void headersArePositionEpochAndSourceAsUtf8Text() {
        Headers h = KafkaHeaders.of(new Position(-2L >>> 1, 3), 17, "7312345678901234567/1");
        Header pos = h.lastHeader("tideline.position");
        assertNotNull(pos);
        assertEquals(Long.toUnsignedString(-2L >>> 1) + "/3", new String(pos.value(), StandardCharsets.UTF_8));
        assertEquals("17", new String(h.lastHeader("tideline.epoch").value(), StandardCharsets.UTF_8));
        assertEquals("7312345678901234567/1", new String(h.lastHeader("tideline.source").value(), StandardCharsets.UTF_8));
        assertNull(KafkaHeaders.of(new Position(1, 0), 1, null).lastHeader("tideline.source"), "no header while unknown");
    }

    @Test
    void commitToAckLatencyIsATimerPerTableAndAOneLineSummaryPerTable() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AckLatency l = new AckLatency(registry, Duration.ofHours(1))) {
            TableId orders = new TableId("public", "orders");
            for (int i = 1; i <= 100; i++) l.record(orders, 1_000, 1_000 + i);
            l.record(new TableId("public", "users"), 1_000, 1_500);
            Timer t = registry.find(AckLatency.METRIC).tag("table", "public.orders").timer();
            assertNotNull(t);
            assertEquals(100, t.count());
            assertEquals(100.0, t.max(java.util.concurrent.TimeUnit.MILLISECONDS), 0.001);
            String summary = l.logSummary();
            assertTrue(summary.contains("table=public.orders count=100 p50=50.0ms p99=99.0ms max=100.0ms"), summary);
            assertTrue(summary.contains("table=public.users count=1 p50=500."), summary);
            assertEquals("", l.logSummary(), "each summary covers only what was acknowledged since the last one");
        }
    }
}
