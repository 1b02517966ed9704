package io.tideline.source;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/** Builds the Debezium engine configuration: Tideline's defaults, the connection, then the user's overrides. */
final class EngineProperties {

    static final String PASSWORD = "database.password";
    static final String PLACEHOLDER = "unavailable.value.placeholder";
    static final String DEFAULT_PLACEHOLDER = "__debezium_unavailable_value";
    static final String TRANSACTION_METADATA = "provide.transaction.metadata";

    private EngineProperties() {
    }

    /**
     * Tideline's defaults: tuned for latency (Debezium waits up to {@code poll.interval.ms} for a full batch,
     * 500 ms by default) and for epoch-aligned offsets (offsets move only when Tideline acknowledges).
     */
    static Map<String, String> defaults() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.put("plugin.name", "pgoutput");
        p.put("publication.autocreate.mode", "filtered");
        p.put(TRANSACTION_METADATA, "true");
        p.put("poll.interval.ms", "1");
        p.put("max.batch.size", "2048");
        p.put("max.queue.size", "8192");
        // Only acknowledge() commits offsets; the engine's own timer must never do it.
        p.put("offset.flush.interval.ms", String.valueOf(Long.MAX_VALUE / 2));
        p.put("offset.flush.timeout.ms", "10000");
        p.put("offset.storage", TidelineOffsetBackingStore.class.getName());
        // The PostgreSQL column type, length and scale in every field's parameters: sinks size columns from them.
        p.put("column.propagate.source.type", ".*");
        p.put("decimal.handling.mode", "precise");
        p.put("time.precision.mode", "adaptive");
        p.put("record.processing.threads", "1");
        // Debezium's context headers (connector name, task id) would be built for every record and then dropped:
        // Tideline's sinks write their own headers.
        p.put("extended.headers.enabled", "false");
        // A restarted Tideline may find its previous walsender still holding the slot for a moment.
        p.put("slot.max.retries", "6");
        p.put("slot.retry.delay.ms", "1000");
        // Fail run() instead of retrying for ever: the caller restarts from the last acknowledged position.
        p.put("errors.max.retries", "2");
        p.put("errors.retry.delay.initial.ms", "300");
        p.put("errors.retry.delay.max.ms", "2000");
        p.put("retriable.restart.connector.wait.ms", "1000");
        return p;
    }

    static Properties build(DebeziumSourceBuilder b, Path offsetFile) {
        Map<String, String> p = defaults();
        p.put("name", b.name);
        p.put("topic.prefix", b.name);
        p.put("database.hostname", b.hostname);
        p.put("database.port", String.valueOf(b.port));
        p.put("database.user", b.user);
        if (b.password != null) {
            p.put(PASSWORD, b.password);
        }
        p.put("database.dbname", b.database);
        p.put("slot.name", b.slotName);
        p.put("publication.name", b.publicationName);
        // Tideline takes snapshots itself, in chunks beside the stream (see ChunkedSnapshot): Debezium only streams.
        p.put("snapshot.mode", "no_data");
        p.put("message.prefix.include.list", StreamGate.PREFIX);
        // Debezium skips TRUNCATE by default; Tideline carries it to every sink unless told not to.
        p.put("skipped.operations", b.captureTruncate ? "none" : "t");
        if (!b.tableIncludeList.isEmpty()) {
            p.put("table.include.list", includeList(b.tableIncludeList));
        }
        p.put(TidelineOffsetBackingStore.FILE_PROPERTY, offsetFile.toString());
        // Debezium's queue bounded in bytes too (its record count alone would hold 8192 rows of any width);
        // a pass-through max.queue.size.in.bytes still wins
        if (b.debeziumQueueBytes > 0) p.put("max.queue.size.in.bytes", Long.toString(b.debeziumQueueBytes));
        p.putAll(b.debeziumProperties);
        if (!"no_data".equals(p.get("snapshot.mode"))) {
            throw new IllegalArgumentException("Cannot configure the source: snapshot.mode=" + p.get("snapshot.mode")
                    + " but Tideline takes snapshots itself, in chunks beside the stream. Remove the override and set"
                    + " tideline.source.snapshot.mode instead.");
        }
        if (!"true".equalsIgnoreCase(p.get(TRANSACTION_METADATA))) {
            throw new IllegalArgumentException("Cannot configure the source: " + TRANSACTION_METADATA + "="
                    + p.get(TRANSACTION_METADATA) + " but Tideline positions changes by their transaction's commit"
                    + " LSN, which only its END marker carries. Remove the override.");
        }
        Properties props = new Properties();
        props.putAll(p);
        return props;
    }

    /** {@code schema.table} names as the anchored, escaped regular expressions Debezium expects. */
    static String includeList(List<String> tables) {
        return tables.stream().map(EngineProperties::escape).collect(Collectors.joining(","));
    }

    private static String escape(String table) {
        StringBuilder sb = new StringBuilder();
        for (char c : table.trim().toCharArray()) {
            if ("\\.[]{}()*+?^$|,".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** The configuration with the password masked, for logs and docs. */
    static Map<String, String> masked(Properties props) {
        Map<String, String> m = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().forEach(k -> m.put(k,
                k.toLowerCase().contains("password") ? "********" : props.getProperty(k)));
        return m;
    }
}
