package io.tideline.sink.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;
import io.tideline.api.TableId;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes changes to Kafka as Debezium-compatible JSON records, one topic per table ({@code <prefix>.<schema>.<table>}),
 * with the headers {@code tideline.position} and {@code tideline.epoch} on every record, exactly once without Kafka
 * transactions: each partition has one writer, and a writer skips what the partition's last record says it holds.
 *
 * <p>Assumption: Tideline is the only producer of its topics. A record without a {@code tideline.position} header at
 * the tail of a partition is detected and refused, rather than risking silent duplicates.
 *
 * <pre>{@code
 * KafkaSink sink = KafkaSink.builder().bootstrapServers("localhost:9092").topicPrefix("tideline").build();
 * }</pre>
 */
public final class KafkaSink implements Sink {

    /** Producer {@code batch.size} default: 1 MiB, within the broker's default {@code message.max.bytes}. */
    static final int BATCH_SIZE = 1 << 20;
    /**
     * Producer {@code linger.ms} default. A writer flushes as soon as its input runs dry ({@link KafkaSinkWriter#idle}),
     * so the linger only ever delays changes that arrive faster than they are sent: those fill larger batches.
     */
    static final int LINGER_MS = 20;
    /** Producer {@code buffer.memory} default: 64 MiB. */
    static final long BUFFER_MEMORY = 64L << 20;
    /** Tables whose route is kept; beyond it the cache starts over (tables renamed or dropped must not pile up). */
    private static final int MAX_ROUTES = 4096;

    private final String bootstrapServers;
    private final TopicNames topicNames;
    private final boolean schemasEnable;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaSink.class);
    private final boolean tombstones;
    private final io.tideline.api.SourceIdentity identity;
    private final boolean resetForNewSource;
    private final Map<String, String> producerOverrides;
    private final TopicManager topics;
    private final AckLatency latency;
    private final EnvelopeSerializer routingSerializer;
    private final Map<TableId, Route> routes = new ConcurrentHashMap<>();

    private KafkaSink(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topicNames = new TopicNames(b.topicPrefix);
        this.schemasEnable = b.schemasEnable;
        this.tombstones = b.tombstones;
        this.identity = b.identity;
        this.resetForNewSource = b.resetForNewSource;
        this.producerOverrides = Map.copyOf(b.producerProperties);
        this.routingSerializer = new EnvelopeSerializer(schemasEnable);
        this.topics = new TopicManager(commonConfig(AdminClientConfig.configNames()), b.partitionsPerTopic);
        this.latency = new AckLatency(b.meterRegistry, b.latencyLogInterval);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Capability capability() {
        return Capability.RECORD_AT_A_TIME;
    }

    /** The topic a table's changes go to. */
    /** The topic a table's changes go to under a prefix ({@code <prefix>.<schema>.<table>}, sanitized). */
    public static String topicName(String prefix, TableId table) {
        return new TopicNames(prefix).topicFor(table);
    }

    public String topicFor(TableId table) {
        return topicNames.topicFor(table);
    }

    /** Every change of one (topic, partition) maps to one writer; creates the topic on first sight. */
    @Override
    public int writerFor(ChangeEvent event, int writers) {
        Route route = route(event.table());
        int partition;
        synchronized (routingSerializer) {
            partition = partitionOf(event, route, routingSerializer, null);
        }
        return Partitioning.writerFor(route.topicHash(), partition, writers);
    }

    /**
     * Where a table's changes go: its topic, the topic's partition count and hash. Every change asks twice (routing
     * and the writer's check), so it is resolved once per table rather than rebuilt and rehashed per change.
     */
    record Route(String topic, int partitions, int topicHash) {
    }

    Route route(TableId table) {
        Route r = routes.get(table);
        if (r == null) {
            String topic = topicFor(table);
            r = new Route(topic, topics.partitions(topic), Partitioning.topicHash(topic));
            if (routes.size() >= MAX_ROUTES) routes.clear();
            routes.put(table, r);
        }
        return r;
    }

    /** The Kafka partition of {@code event}; {@code key} is its serialized key when the caller has it already. */
    int partitionOf(ChangeEvent event, Route route, EnvelopeSerializer serializer, byte[] key) {
        if (route.partitions() == 1) return 0; // what the hash would say: no key to serialize for it
        String topic = route.topic();
        byte[] basis = key != null ? key : event.key() != null ? serializer.key(event, topic) : serializer.rowImage(event, topic);
        return Partitioning.partitionFor(basis, route.partitions());
    }

    /** A TRUNCATE goes to every partition of the table's topic, so every writer writes it to the ones it owns. */
    @Override
    public boolean everyWriterTakes(ChangeEvent event) {
        return event.op() == io.tideline.api.Op.TRUNCATE;
    }

    @Override
    public SinkWriter openWriter(int index, int writers) {
        if (index < 0 || index >= writers) {
            throw new IllegalArgumentException("Cannot open Kafka writer " + index + " of " + writers
                    + ": the index must be in [0, " + writers + ").");
        }
        return new KafkaSinkWriter(this, index, writers);
    }

    @Override
    public void close() {
        latency.close();
        topics.close();
    }

    boolean schemasEnable() {
        return schemasEnable;
    }

    /** The source's identity for the {@value KafkaHeaders#SOURCE} header; null when not known (tests, old callers). */
    String sourceText() {
        return identity == null ? null : identity.text();
    }

    /**
     * What a partition holds as far as the fence goes: its tail position, unless the tail comes from another PostgreSQL
     * cluster than the source (then positions cannot be compared: stop, or start the fence over when allowed).
     */
    Position sourceFence(org.apache.kafka.common.TopicPartition tp, TailReader.Tail tail) {
        if (identity == null || identity.sameClusterAs(tail.source())) return tail.position();
        if (resetForNewSource) {
            LOG.warn("Topic {} partition {} holds changes of PostgreSQL cluster {}, the source is cluster {}: its fence"
                    + " starts over ({}=true)", tp.topic(), tp.partition(), tail.source(), identity.text(), RESET_KEY);
            return Position.ZERO;
        }
        throw new IllegalStateException("Cannot write to topic " + tp.topic() + " partition " + tp.partition()
                + ": it holds changes of PostgreSQL cluster " + tail.source() + " (" + KafkaHeaders.SOURCE + " of its last"
                + " record), but the source is cluster " + identity.text() + ". Positions of two clusters cannot be"
                + " compared, and every change would be skipped as already held. Write the new cluster to new topics"
                + " (tideline.sink.kafka.topic.prefix), or set " + RESET_KEY + "=true to start the fences over for it.");
    }

    /** The configuration key that lets fences start over for a new source cluster. */
    public static final String RESET_KEY = "tideline.sink.fence.reset.for.new.source";

    boolean tombstones() {
        return tombstones;
    }

    AckLatency latency() {
        return latency;
    }

    /** Tideline's latency-first producer defaults, then the user's overrides, applied last. */
    Map<String, Object> producerConfig(int writerIndex) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "tideline-kafka-" + writerIndex);
        c.putAll(producerDefaults());
        c.putAll(producerOverrides);
        return c;
    }

    /**
     * The producer settings Tideline chooses before the user's overrides: delivery (idempotent, acks=all) and the
     * batching and compression tuned for Debezium JSON. Public so that benchmarks measure a producer set up alike.
     */
    public static Map<String, Object> producerDefaults() {
        Map<String, Object> c = new LinkedHashMap<>();
        // Fewer, larger requests while changes keep coming (a snapshot: 1.2-1.4x, the broker's CPU per row halved;
        // bench/README.md); the writer's flush when its input runs dry keeps a lone change as fast as linger 0.
        c.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(LINGER_MS));
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // One request in flight: while it is acknowledged, what arrives meanwhile gathers into the next batch, so batches
        // grow with the load (Nagle-like) instead of leaving a few records at a time; an idle pipeline still sends
        // each record at once (the writer flushes when its input runs dry). Bulk capture gained ~1.15x (fewer
        // requests for broker, sender and lz4 block setup); latency stayed the same (bench/README.md).
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        // Debezium JSON with schemas repeats the same schema block in every record (~3/4 of its bytes): lz4 shrinks
        // a batch several times for a few µs of the writer's CPU per record, and spares the broker and every
        // consumer the bytes (bulk capture ran ~1.3x faster with it on a 2-core box; bench/README.md).
        c.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // With one partition per table, a batch is all one request carries for it, and one request is in flight:
        // the default 16 KB caps what gathers while a request is acknowledged at a few Debezium JSON records, which
        // caps bulk capture at a few thousand rows/s. A larger batch adds no delay (a batch goes when the writer's
        // input runs dry or the linger ends, whichever is first); the buffer holds several of them.
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(BATCH_SIZE));
        c.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(BUFFER_MEMORY));
        return c;
    }

    /** For the tail reader: the bootstrap servers plus the user's connection settings (security, DNS, timeouts). */
    Map<String, Object> consumerConfig(int writerIndex) {
        Map<String, Object> c = commonConfig(ConsumerConfig.configNames());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "tideline-kafka-tail-" + writerIndex);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return c;
    }

    private Map<String, Object> commonConfig(Set<String> allowed) {
        Map<String, Object> c = new HashMap<>();
        producerOverrides.forEach((k, v) -> {
            if (allowed.contains(k) && !k.equals("client.id")) c.put(k, v);
        });
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return c;
    }

    /** Fluent builder; {@link #bootstrapServers} and {@link #topicPrefix} are required. */
    public static final class Builder {
        private String bootstrapServers;
        private String topicPrefix;
        private int partitionsPerTopic = 1;
        private boolean schemasEnable = true;
        private boolean tombstones = true;
        private io.tideline.api.SourceIdentity identity;
        private boolean resetForNewSource;
        private Map<String, String> producerProperties = Map.of();
        private MeterRegistry meterRegistry;
        private Duration latencyLogInterval = Duration.ofMinutes(1);

        private Builder() {
        }

        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        /** Topic of a table = {@code <prefix>.<schema>.<table>}. */
        public Builder topicPrefix(String prefix) {
            this.topicPrefix = prefix;
            return this;
        }

        /** Partitions of a topic Tideline creates (default 1); an existing topic keeps its own count. */
        public Builder partitionsPerTopic(int partitions) {
            this.partitionsPerTopic = partitions;
            return this;
        }

        /** JsonConverter {@code schemas.enable} for key and value (default true, as Debezium Server). */
        public Builder schemasEnable(boolean enable) {
            this.schemasEnable = enable;
            return this;
        }

        /** The source's identity: recorded on every record, compared with what a partition's tail holds. */
        public Builder sourceIdentity(io.tideline.api.SourceIdentity identity) {
            this.identity = identity;
            return this;
        }

        /** Whether a partition holding another cluster's changes starts its fence over (default false: stop). */
        public Builder resetFencesForNewSource(boolean reset) {
            this.resetForNewSource = reset;
            return this;
        }

        /** Whether a delete is followed by a tombstone (same key, null value; default true). */
        public Builder tombstones(boolean enable) {
            this.tombstones = enable;
            return this;
        }

        /** KafkaProducer settings applied over Tideline's defaults ({@code tideline.sink.kafka.producer.*}). */
        public Builder producerProperties(Map<String, String> properties) {
            this.producerProperties = properties == null ? Map.of() : Map.copyOf(properties);
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /** How often the commit→ack latency summary is logged (default one minute). */
        public Builder latencyLogInterval(Duration interval) {
            this.latencyLogInterval = interval;
            return this;
        }

        public KafkaSink build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("Cannot build Kafka sink: bootstrap servers are missing. "
                        + "Set tideline.sink.kafka.bootstrap.servers, e.g. localhost:9092.");
            }
            if (topicPrefix == null || topicPrefix.isBlank()) {
                throw new IllegalArgumentException("Cannot build Kafka sink: the topic prefix is missing. "
                        + "Set tideline.sink.kafka.topic.prefix, e.g. tideline.");
            }
            if (partitionsPerTopic < 1) {
                throw new IllegalArgumentException("Cannot build Kafka sink: partitions per topic is "
                        + partitionsPerTopic + ". Use 1 or more.");
            }
            if (latencyLogInterval == null || latencyLogInterval.isZero() || latencyLogInterval.isNegative()) {
                throw new IllegalArgumentException("Cannot build Kafka sink: latency log interval "
                        + latencyLogInterval + " must be positive.");
            }
            if (meterRegistry == null) meterRegistry = new SimpleMeterRegistry();
            return new KafkaSink(this);
        }
    }
}
