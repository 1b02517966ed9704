package io.tideline.sink.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates output topics on first use and remembers how many partitions each has. An existing topic is used as it
 * is (its partition count wins over the configured one), so partitioning stays stable across restarts. Thread-safe.
 */
final class TopicManager implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicManager.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final Admin admin;
    private final int partitions;
    private final Map<String, Integer> partitionCounts = new ConcurrentHashMap<>();

    TopicManager(Map<String, Object> adminConfig, int partitions) {
        this.admin = Admin.create(adminConfig);
        this.partitions = partitions;
    }

    /** The number of partitions of {@code topic}, creating the topic first if it is missing. */
    int partitions(String topic) {
        Integer known = partitionCounts.get(topic);
        if (known != null) return known;
        int count = ensure(topic);
        partitionCounts.put(topic, count);
        return count;
    }

    private int ensure(String topic) {
        try {
            Integer existing = describe(topic);
            if (existing != null) {
                if (existing != partitions) {
                    LOG.warn("Topic {} exists with {} partitions, not the configured {}; Tideline keeps its {} partitions.",
                            topic, existing, partitions, existing);
                }
                return existing;
            }
            short rf = (short) Math.min(3, admin.describeCluster().nodes().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).size());
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, rf))).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                LOG.info("Created topic {} with {} partition(s), replication factor {}.", topic, partitions, rf);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e;
            }
            Integer created = describe(topic);
            return created != null ? created : partitions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot create topic " + topic + ": interrupted.", e);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create or describe topic " + topic + ": " + e.getMessage()
                    + ". Check that the brokers are reachable and that Tideline may create topics, or create it yourself.", e);
        }
    }

    private Integer describe(String topic) throws Exception {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
            return d.partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) return null;
            throw e;
        }
    }

    @Override
    public void close() {
        admin.close();
    }
}
