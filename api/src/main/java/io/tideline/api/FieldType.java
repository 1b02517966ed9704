package io.tideline.api;

import java.util.List;
import java.util.Map;

/**
 * The type of a field, shaped like a Kafka Connect schema but owned by Tideline so runtimes and sinks never
 * see Debezium classes. {@code logicalName} carries the semantic type the source attached (for example
 * {@code io.debezium.time.MicroTimestamp} or {@code org.apache.kafka.connect.data.Decimal}) and
 * {@code parameters} its parameters (scale, precision, column type, length); sinks map types from these.
 *
 * <p>Values travel as plain Java objects: Byte, Short, Integer, Long, Float, Double, Boolean, String,
 * byte[], java.math.BigDecimal, java.util.List (ARRAY), java.util.Map (MAP), {@link Row} (STRUCT), or
 * {@link Unchanged#VALUE}.
 */
public record FieldType(Kind kind, boolean optional, String logicalName, Integer version,
                        Map<String, String> parameters, FieldType elementType, FieldType valueType,
                        List<Field> fields, Object defaultValue) {

    public enum Kind { INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES, ARRAY, MAP, STRUCT }

    public FieldType {
        // keep the source's parameter order: Debezium's JSON converter writes them in insertion order
        parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    public static FieldType of(Kind kind, boolean optional) {
        return new FieldType(kind, optional, null, null, null, null, null, null, null);
    }

    public static FieldType struct(String name, boolean optional, List<Field> fields) {
        return new FieldType(Kind.STRUCT, optional, name, null, null, null, null, fields, null);
    }

    public FieldType withLogical(String name, Integer version, Map<String, String> params) {
        return new FieldType(kind, optional, name, version, params, elementType, valueType, fields, defaultValue);
    }

    /** The field of a STRUCT by name, or null. */
    public Field field(String name) {
        for (Field f : fields) {
            if (f.name().equals(name)) return f;
        }
        return null;
    }

    /** The PostgreSQL column type the source reported (Debezium's {@code __debezium.source.column.type}), or null. */
    public String sourceColumnType() {
        return parameters.get("__debezium.source.column.type");
    }
}
