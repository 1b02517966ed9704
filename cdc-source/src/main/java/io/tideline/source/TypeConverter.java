package io.tideline.source;

import io.tideline.api.Field;
import io.tideline.api.FieldType;
import org.apache.kafka.connect.data.Schema;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Kafka Connect schemas into Tideline {@link FieldType}s, recursively, keeping the logical name, version,
 * parameters (Debezium puts the PostgreSQL column type, length and scale there) and default value.
 *
 * <p>Debezium reuses one schema object per table version, so results are cached by identity; the cache is
 * dropped when it grows past a bound so that schemas replaced by {@code ALTER TABLE} do not pile up.
 * Not thread-safe: one instance per polling thread.
 */
final class TypeConverter {

    private static final int MAX_CACHED = 4096;

    private static final int RECENT = 4;

    private final Map<Schema, FieldType> cache = new IdentityHashMap<>();
    /**
     * The last few schemas asked for, compared by reference before the map: a row asks for its key's and value's
     * (and source block's) types, and the identity-hash lookup was a tenth of a snapshot reader's CPU.
     */
    private final Schema[] recentSchemas = new Schema[RECENT];
    private final FieldType[] recentTypes = new FieldType[RECENT];
    private int next;

    FieldType convert(Schema schema) {
        if (schema == null) {
            return null;
        }
        for (int i = 0; i < RECENT; i++) {
            if (recentSchemas[i] == schema) return recentTypes[i];
        }
        FieldType cached = cache.get(schema);
        if (cached != null) {
            remember(schema, cached);
            return cached;
        }
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        FieldType type = build(schema);
        cache.put(schema, type);
        remember(schema, type);
        return type;
    }

    private void remember(Schema schema, FieldType type) {
        recentSchemas[next] = schema;
        recentTypes[next] = type;
        next = (next + 1) % RECENT;
    }

    private FieldType build(Schema schema) {
        FieldType.Kind kind = kindOf(schema.type());
        FieldType element = null;
        FieldType value = null;
        List<Field> fields = null;
        switch (schema.type()) {
            case ARRAY -> element = convert(schema.valueSchema());
            case MAP -> value = convert(schema.valueSchema());
            case STRUCT -> {
                fields = new ArrayList<>(schema.fields().size());
                for (org.apache.kafka.connect.data.Field f : schema.fields()) {
                    fields.add(new Field(f.name(), convert(f.schema())));
                }
            }
            default -> {
            }
        }
        Object defaultValue = schema.defaultValue() == null ? null : ValueConverter.plain(schema.defaultValue());
        return new FieldType(kind, schema.isOptional(), schema.name(), schema.version(), schema.parameters(),
                element, value, fields, defaultValue);
    }

    static FieldType.Kind kindOf(Schema.Type type) {
        return switch (type) {
            case INT8 -> FieldType.Kind.INT8;
            case INT16 -> FieldType.Kind.INT16;
            case INT32 -> FieldType.Kind.INT32;
            case INT64 -> FieldType.Kind.INT64;
            case FLOAT32 -> FieldType.Kind.FLOAT32;
            case FLOAT64 -> FieldType.Kind.FLOAT64;
            case BOOLEAN -> FieldType.Kind.BOOLEAN;
            case STRING -> FieldType.Kind.STRING;
            case BYTES -> FieldType.Kind.BYTES;
            case ARRAY -> FieldType.Kind.ARRAY;
            case MAP -> FieldType.Kind.MAP;
            case STRUCT -> FieldType.Kind.STRUCT;
        };
    }
}
