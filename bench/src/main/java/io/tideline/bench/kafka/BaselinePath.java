package io.tideline.bench.kafka;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What users run today: Debezium's engine with its default settings (only the required connection, slot,
 * publication and offset settings, plus {@code plugin.name=pgoutput}), JSON with schemas, feeding a
 * KafkaProducer with its defaults. Like Debezium Server's Kafka sink, a batch is marked processed once
 * every record of it is acknowledged.
 */
final class BaselinePath implements CapturePath {
    private final BenchServices services;
    private KafkaProducer<String, String> producer;
    private DebeziumRun run;

    BaselinePath(BenchServices services) {
        this.services = services;
    }

    @Override
    public String label() {
        return "baseline: Debezium engine defaults → default KafkaProducer";
    }

    @Override
    public String failure() {
        return run == null ? null : run.failure();
    }

    @Override
    public void start(Fixture fixture, Receipts receipts) {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap),
                new StringSerializer(), new StringSerializer());
        DebeziumEngine.ChangeConsumer<ChangeEvent<String, String>> sink = (records, committer) -> {
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            for (ChangeEvent<String, String> r : records) {
                acks.add(producer.send(new ProducerRecord<>(r.destination(), r.key(), r.value())));
            }
            try {
                for (Future<RecordMetadata> ack : acks) {
                    ack.get();
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("Cannot send a change to Kafka: " + e.getCause() + ".", e.getCause());
            }
            for (ChangeEvent<String, String> r : records) {
                committer.markProcessed(r);
            }
            committer.markBatchFinished();
        };
        run = new DebeziumRun(DebeziumEngine.create(Json.class)
                .using(DebeziumRun.required(services, fixture, "bench-baseline-" + fixture.name))
                .notifying(sink));
    }

    @Override
    public void close() throws Exception {
        try {
            if (run != null) {
                run.close();
            }
        } finally {
            if (producer != null) {
                producer.close();
            }
        }
    }
}
