package io.tideline.bench.kafka;

import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium's engine alone, tuned exactly like Tideline's source (its defaults are read from the cdc-source
 * module, not copied), with a consumer that only reads the row id: the ceiling Tideline's bulk throughput
 * is compared with.
 */
final class EngineAlonePath implements CapturePath {
    private final BenchServices services;
    private DebeziumRun run;

    EngineAlonePath(BenchServices services) {
        this.services = services;
    }

    @Override
    public String label() {
        return "Debezium engine alone, Tideline's source settings, no-op consumer";
    }

    @Override
    public String failure() {
        return run == null ? null : run.failure();
    }

    @Override
    public boolean writesToKafka() {
        return false;
    }

    @Override
    public void start(Fixture fixture, Receipts receipts) throws Exception {
        Properties p = new Properties();
        p.putAll(tidelineSourceDefaults());
        p.putAll(DebeziumRun.required(services, fixture, "bench-engine-" + fixture.name));
        DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> noop = (records, committer) -> {
            long now = BenchClock.nowMicros();
            for (RecordChangeEvent<SourceRecord> event : records) {
                SourceRecord r = event.record();
                if (fixture.topic.equals(r.topic()) && r.value() instanceof Struct value) {
                    Struct after = value.getStruct("after");
                    if (after != null) {
                        receipts.record(after.getInt64("id"), 0, now);
                    }
                }
                committer.markProcessed(event);
            }
            committer.markBatchFinished();
        };
        run = new DebeziumRun(DebeziumEngine.create(ChangeEventFormat.of(Connect.class)).using(p).notifying(noop));
    }

    /** io.tideline.source.EngineProperties.defaults(), without Tideline's own offset store. */
    @SuppressWarnings("unchecked")
    static Map<String, String> tidelineSourceDefaults() throws Exception {
        Method defaults = Class.forName("io.tideline.source.EngineProperties").getDeclaredMethod("defaults");
        defaults.setAccessible(true);
        Map<String, String> p = (Map<String, String>) defaults.invoke(null);
        p.remove("offset.storage");
        return p;
    }

    @Override
    public void close() throws Exception {
        if (run != null) {
            run.close();
        }
    }
}
