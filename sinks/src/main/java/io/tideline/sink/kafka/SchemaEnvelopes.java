package io.tideline.sink.kafka;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonSerializer;

import java.nio.charset.StandardCharsets;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Writes JsonConverter's {@code schemas.enable=true} form, {@code {"schema":<schema>,"payload":<payload>}}, around a
 * payload serialized without schema. JsonConverter caches the schema's JSON tree but serializes it again for every
 * record; for a Debezium envelope that is three quarters of the bytes and most of the CPU. Here the bytes up to the
 * payload are serialized once per schema. Schemas come from the {@link ConnectSchemas} cache, so identity is the key.
 * Not thread-safe.
 */
final class SchemaEnvelopes {

    static final byte[] SUFFIX = "}".getBytes(StandardCharsets.UTF_8);
    private static final int MAX_SCHEMAS = 4096;

    private final JsonConverter schemaConverter;
    private final JsonSerializer serializer = new JsonSerializer();
    private final Map<Schema, byte[]> prefixes = new IdentityHashMap<>();

    /** {@code schemaConverter} renders schemas as JSON trees exactly as it would inside its own envelopes. */
    SchemaEnvelopes(JsonConverter schemaConverter) {
        this.schemaConverter = schemaConverter;
    }

    /** The envelope of {@code payload} (JSON of a value of {@code schema}, serialized without schema). */
    byte[] wrap(Schema schema, byte[] payload) {
        byte[] prefix = prefix(schema);
        byte[] out = new byte[prefix.length + payload.length + SUFFIX.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(payload, 0, out, prefix.length, payload.length);
        System.arraycopy(SUFFIX, 0, out, prefix.length + payload.length, SUFFIX.length);
        return out;
    }

    /** {@code {"schema":<schema JSON>,"payload":}, serialized once per schema. */
    byte[] prefix(Schema schema) {
        byte[] prefix = prefixes.get(schema);
        if (prefix != null) return prefix;
        ObjectNode node = schemaConverter.asJsonSchema(schema);
        byte[] json = serializer.serialize(null, node);
        byte[] head = "{\"schema\":".getBytes(StandardCharsets.UTF_8);
        byte[] tail = ",\"payload\":".getBytes(StandardCharsets.UTF_8);
        prefix = new byte[head.length + json.length + tail.length];
        System.arraycopy(head, 0, prefix, 0, head.length);
        System.arraycopy(json, 0, prefix, head.length, json.length);
        System.arraycopy(tail, 0, prefix, head.length + json.length, tail.length);
        if (prefixes.size() >= MAX_SCHEMAS) prefixes.clear(); // table versions replaced by ALTER TABLE
        prefixes.put(schema, prefix);
        return prefix;
    }
}
