package io.tideline.sink.kafka;

import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Row;
import io.tideline.api.Unchanged;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Tideline's {@link FieldType}/{@link Row} back into the Kafka Connect {@link Schema}/{@link Struct} the
 * source saw, so that JsonConverter writes exactly what Debezium would. Schemas are cached: a table's schema is
 * built once per shape, not once per change. Not thread-safe; one instance per writer.
 */
final class ConnectSchemas {

    static final String CONNECT_DECIMAL = "org.apache.kafka.connect.data.Decimal";
    static final String CONNECT_DATE = "org.apache.kafka.connect.data.Date";
    static final String CONNECT_TIME = "org.apache.kafka.connect.data.Time";
    static final String CONNECT_TIMESTAMP = "org.apache.kafka.connect.data.Timestamp";

    private final Map<FieldType, Map<String, Schema>> cache = new HashMap<>();
    /**
     * The source hands over the same FieldType object for every change of a table version: skip deep hashing. Keyed
     * by the name as given, without building a key string: callers pass the same name instance for every change, so
     * its hash is computed once (a concatenated key was hashed afresh for every record).
     */
    private final Map<FieldType, Map<String, Schema>> byIdentity = new java.util.IdentityHashMap<>();
    private final Map<FieldType, Map<String, Schema>> optionalByIdentity = new java.util.IdentityHashMap<>();

    /** The Connect schema of {@code type}, with its top-level name replaced by {@code name} when non-null. */
    Schema schema(FieldType type, String name) {
        return schema(type, name, false);
    }

    /** As {@link #schema(FieldType, String)}, made optional when {@code forceOptional}. */
    Schema schema(FieldType type, String name, boolean forceOptional) {
        Map<FieldType, Map<String, Schema>> identity = forceOptional ? optionalByIdentity : byIdentity;
        String given = name == null ? "" : name;
        Map<String, Schema> fast = identity.get(type);
        Schema known = fast == null ? null : fast.get(given);
        if (known != null) return known;
        if (identity.size() > 4096) identity.clear(); // table versions replaced by ALTER TABLE must not pile up
        String key = given + (forceOptional ? "?" : "");
        Map<String, Schema> byName = cache.get(type);
        Schema s = byName == null ? null : byName.get(key);
        if (s == null) {
            // Built outside computeIfAbsent: building a struct recurses into this cache.
            s = build(type, name, forceOptional);
            if (cache.size() > 4096) cache.clear();
            cache.computeIfAbsent(type, t -> new HashMap<>()).put(key, s);
        }
        identity.computeIfAbsent(type, t -> new HashMap<>()).put(given, s);
        return s;
    }

    private Schema build(FieldType type, String nameOverride, boolean forceOptional) {
        SchemaBuilder b = switch (type.kind()) {
            case INT8 -> SchemaBuilder.int8();
            case INT16 -> SchemaBuilder.int16();
            case INT32 -> SchemaBuilder.int32();
            case INT64 -> SchemaBuilder.int64();
            case FLOAT32 -> SchemaBuilder.float32();
            case FLOAT64 -> SchemaBuilder.float64();
            case BOOLEAN -> SchemaBuilder.bool();
            case STRING -> SchemaBuilder.string();
            case BYTES -> SchemaBuilder.bytes();
            case ARRAY -> SchemaBuilder.array(schema(require(type.elementType(), "element", type), null));
            case MAP -> SchemaBuilder.map(
                    type.elementType() == null ? Schema.STRING_SCHEMA : schema(type.elementType(), null),
                    schema(require(type.valueType(), "value", type), null));
            case STRUCT -> {
                SchemaBuilder s = SchemaBuilder.struct();
                for (Field f : type.fields()) s.field(f.name(), schema(f.type(), null));
                yield s;
            }
        };
        String name = nameOverride != null ? nameOverride : type.logicalName();
        if (name != null) b.name(name);
        String doc = type.logicalName() == null ? null : DOCS.get(type.logicalName());
        if (doc != null) b.doc(doc);
        if (type.version() != null) b.version(type.version());
        if (!type.parameters().isEmpty()) b.parameters(debeziumOrder(type.parameters()));
        if (type.optional() || forceOptional) b.optional();
        if (type.defaultValue() != null) {
            // The schema built so far validates the default, so it must already carry kind and logical name.
            b.defaultValue(value(b.build(), type.defaultValue()));
        }
        return b.build();
    }

    /**
     * FieldType keeps parameters unordered, but JsonConverter writes them in map order. Debezium adds them in this
     * order (the decimal scale and precision, then the propagated source column type/length/scale), so restoring it
     * keeps the JSON byte-identical for every parameter Debezium's PostgreSQL connector emits; others follow sorted.
     */
    static Map<String, String> debeziumOrder(Map<String, String> params) {
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String k : PARAMETER_ORDER) {
            String v = params.get(k);
            if (v != null) ordered.put(k, v);
        }
        new java.util.TreeMap<>(params).forEach(ordered::putIfAbsent);
        return ordered;
    }

    /**
     * FieldType carries no schema doc, but JsonConverter writes it; these are the docs Debezium 3.6 attaches to its
     * semantic types (io.debezium.schema.SchemaFactory and io.debezium.data.geometry.*).
     */
    private static final Map<String, String> DOCS = Map.of(
            "io.debezium.data.VariableScaleDecimal", "Variable scaled decimal",
            "io.debezium.data.SparseDoubleVector", "Sparse double vector",
            "io.debezium.data.geometry.Geometry", "Geometry",
            "io.debezium.data.geometry.Geography", "Geography",
            "io.debezium.data.geometry.Point", "Geometry (POINT)");

    private static final List<String> PARAMETER_ORDER = List.of("scale", "connect.decimal.precision", "allowed",
            "length", "__debezium.source.column.type", "__debezium.source.column.length",
            "__debezium.source.column.scale", "__debezium.source.column.name");

    private static FieldType require(FieldType t, String what, FieldType owner) {
        if (t == null) {
            throw new IllegalArgumentException("Cannot build Kafka Connect schema: " + owner.kind() + " type "
                    + owner.logicalName() + " has no " + what + " type. Fix the source's type mapping.");
        }
        return t;
    }

    /** A Connect struct for {@code row} under {@code schema} (as returned by {@link #schema}). */
    Struct struct(Row row, Schema schema) {
        Struct s = new Struct(schema);
        List<org.apache.kafka.connect.data.Field> fields = schema.fields();
        for (int i = 0; i < fields.size(); i++) {
            org.apache.kafka.connect.data.Field f = fields.get(i);
            s.put(f, value(f.schema(), row.get(i)));
        }
        return s;
    }

    /** Converts a Tideline value to what Connect expects for {@code schema}. */
    Object value(Schema schema, Object v) {
        if (v == null) return null;
        if (v == Unchanged.VALUE) return ToastPlaceholder.forSchema(schema);
        String logical = schema.name();
        if (CONNECT_DECIMAL.equals(logical)) return decimal(schema, v);
        if (CONNECT_DATE.equals(logical) && v instanceof Number n) return new java.util.Date(n.longValue() * 86_400_000L);
        if ((CONNECT_TIME.equals(logical) || CONNECT_TIMESTAMP.equals(logical)) && v instanceof Number n) {
            return new java.util.Date(n.longValue());
        }
        return switch (schema.type()) {
            case INT8 -> v instanceof Number n ? n.byteValue() : v;
            case INT16 -> v instanceof Number n ? n.shortValue() : v;
            case INT32 -> v instanceof Number n ? n.intValue() : v;
            case INT64 -> v instanceof Number n ? n.longValue() : v;
            case FLOAT32 -> v instanceof Number n ? n.floatValue() : v;
            case FLOAT64 -> v instanceof Number n ? n.doubleValue() : v;
            case STRUCT -> v instanceof Row r ? struct(r, schema) : v;
            case ARRAY -> list(schema.valueSchema(), (List<?>) v);
            case MAP -> map(schema, (Map<?, ?>) v);
            default -> v;
        };
    }

    private Object decimal(Schema schema, Object v) {
        BigDecimal d = v instanceof BigDecimal b ? b : new BigDecimal(v.toString());
        String scale = schema.parameters() == null ? null : schema.parameters().get("scale");
        // Connect rejects a decimal whose scale differs from the schema's; numerically equal values are rescaled.
        return scale == null ? d : d.setScale(Integer.parseInt(scale), RoundingMode.UNNECESSARY);
    }

    private List<Object> list(Schema element, List<?> values) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object e : values) out.add(value(element, e));
        return Collections.unmodifiableList(out);
    }

    private Map<Object, Object> map(Schema schema, Map<?, ?> values) {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : values.entrySet()) {
            out.put(value(schema.keySchema(), e.getKey()), value(schema.valueSchema(), e.getValue()));
        }
        return out;
    }
}
