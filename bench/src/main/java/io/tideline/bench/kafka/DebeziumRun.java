package io.tideline.bench.kafka;

import io.debezium.engine.DebeziumEngine;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Runs one Debezium engine on its own thread and remembers how it ended. */
final class DebeziumRun implements AutoCloseable {
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "bench-debezium-engine");
        t.setDaemon(true);
        return t;
    });
    private final DebeziumEngine<?> engine;
    private volatile String failure;

    <R> DebeziumRun(DebeziumEngine.Builder<R> builder) {
        this.engine = builder.using((DebeziumEngine.CompletionCallback) (success, message, error) -> {
            if (!success) {
                failure = message + (error == null ? "" : " (" + error + ")");
            }
        }).build();
        executor.execute(engine);
    }

    /** The connection and slot settings every Debezium path needs, nothing that tunes it. */
    static Properties required(BenchServices services, Fixture fixture, String name) {
        Properties p = required(services, name, fixture.topicPrefix, fixture.slot, fixture.publication,
                "public\\." + fixture.table);
        // The slot was created before the first row: stream from it, do not snapshot the rows it will deliver.
        p.setProperty("snapshot.mode", "no_data");
        return p;
    }

    /** The connection, slot, publication and table settings of an engine, with every other setting at its default. */
    static Properties required(BenchServices services, String name, String topicPrefix, String slot, String publication,
                               String tableIncludeList) {
        Properties p = new Properties();
        p.setProperty("name", name);
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("database.hostname", services.host);
        p.setProperty("database.port", String.valueOf(services.port));
        p.setProperty("database.user", services.user);
        p.setProperty("database.password", services.password);
        p.setProperty("database.dbname", services.database);
        p.setProperty("topic.prefix", topicPrefix);
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("publication.name", publication);
        p.setProperty("table.include.list", tableIncludeList);
        return p;
    }

    String failure() {
        return failure;
    }

    @Override
    public void close() throws Exception {
        try {
            engine.close();
        } finally {
            executor.shutdown();
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        }
        if (failure != null) {
            throw new IllegalStateException("Cannot run the Debezium engine: " + failure + ". See its log above.");
        }
    }
}
