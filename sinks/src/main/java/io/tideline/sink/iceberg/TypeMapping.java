package io.tideline.sink.iceberg;

import io.tideline.api.Field;
import io.tideline.api.FieldType;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Maps a Tideline {@link FieldType} (Debezium's semantic types carried as logical names) to an Iceberg type.
 *
 * <p>Choices worth knowing:
 * <ul>
 *   <li>{@code numeric(p,s)} ({@code org.apache.kafka.connect.data.Decimal}) → {@code decimal(p,s)}, p from
 *       {@code connect.decimal.precision} or the source column length; without a precision → {@code decimal(38,s)};
 *       precision above 38 → {@code string}.</li>
 *   <li>{@code numeric} without precision and scale ({@code io.debezium.data.VariableScaleDecimal}) → {@code string}
 *       holding the exact plain text: Iceberg decimals have a fixed scale, so any other choice would round.</li>
 *   <li>{@code uuid} → {@code uuid}; {@code json}/{@code jsonb}/{@code xml}/enums → {@code string}.</li>
 *   <li>{@code timestamptz} ({@code ZonedTimestamp}, an ISO string) → {@code timestamptz}; {@code timestamp}
 *       (milli, micro or nano) → {@code timestamp} (micro precision).</li>
 * </ul>
 */
public final class TypeMapping {

    static final String DECIMAL = "org.apache.kafka.connect.data.Decimal";
    static final String VARIABLE_SCALE_DECIMAL = "io.debezium.data.VariableScaleDecimal";
    static final String DATE = "io.debezium.time.Date";
    static final String CONNECT_DATE = "org.apache.kafka.connect.data.Date";
    static final String TIMESTAMP_MILLIS = "io.debezium.time.Timestamp";
    static final String TIMESTAMP_MICROS = "io.debezium.time.MicroTimestamp";
    static final String TIMESTAMP_NANOS = "io.debezium.time.NanoTimestamp";
    static final String CONNECT_TIMESTAMP = "org.apache.kafka.connect.data.Timestamp";
    static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
    static final String TIME_MILLIS = "io.debezium.time.Time";
    static final String TIME_MICROS = "io.debezium.time.MicroTime";
    static final String TIME_NANOS = "io.debezium.time.NanoTime";
    static final String CONNECT_TIME = "org.apache.kafka.connect.data.Time";
    static final String UUID = "io.debezium.data.Uuid";
    static final String BITS = "io.debezium.data.Bits";
    static final String MICRO_DURATION = "io.debezium.time.MicroDuration";

    static final String SCALE = "scale";
    static final String PRECISION = "connect.decimal.precision";
    static final String COLUMN_LENGTH = "__debezium.source.column.length";
    static final String COLUMN_SCALE = "__debezium.source.column.scale";

    private static final int MAX_DECIMAL_PRECISION = 38;

    private TypeMapping() {
    }

    /** The Iceberg type for a source field; nested ids are placeholders that table creation and schema updates reassign. */
    public static Type icebergType(FieldType type) {
        return icebergType(type, new AtomicInteger(10_000));
    }

    static Type icebergType(FieldType type, AtomicInteger ids) {
        Type logical = logicalType(type);
        if (logical != null) return logical;
        switch (type.kind()) {
            case INT8: case INT16: case INT32: return Types.IntegerType.get();
            case INT64: return Types.LongType.get();
            case FLOAT32: return Types.FloatType.get();
            case FLOAT64: return Types.DoubleType.get();
            case BOOLEAN: return Types.BooleanType.get();
            case STRING: return Types.StringType.get();
            case BYTES: return Types.BinaryType.get();
            case ARRAY:
                return Types.ListType.ofOptional(ids.incrementAndGet(), icebergType(type.elementType(), ids));
            case MAP:
                return Types.MapType.ofOptional(ids.incrementAndGet(), ids.incrementAndGet(),
                        icebergType(type.elementType(), ids), icebergType(type.valueType(), ids));
            case STRUCT: {
                List<Types.NestedField> fields = new ArrayList<>();
                for (Field f : type.fields()) {
                    fields.add(Types.NestedField.optional(ids.incrementAndGet(), f.name(), icebergType(f.type(), ids)));
                }
                return Types.StructType.of(fields);
            }
            default:
                throw new IllegalArgumentException("Cannot map field type " + type.kind() + " to Iceberg: unknown kind. "
                        + "Report this type to the Tideline maintainers.");
        }
    }

    private static Type logicalType(FieldType type) {
        String logical = type.logicalName();
        if (logical == null || type.kind() == FieldType.Kind.STRUCT && !VARIABLE_SCALE_DECIMAL.equals(logical)) {
            return null;
        }
        switch (logical) {
            case DECIMAL: return decimal(type);
            case VARIABLE_SCALE_DECIMAL: return Types.StringType.get();
            case DATE: case CONNECT_DATE: return Types.DateType.get();
            case TIMESTAMP_MILLIS: case TIMESTAMP_MICROS: case TIMESTAMP_NANOS: case CONNECT_TIMESTAMP:
                return Types.TimestampType.withoutZone();
            case ZONED_TIMESTAMP: return Types.TimestampType.withZone();
            case TIME_MILLIS: case TIME_MICROS: case TIME_NANOS: case CONNECT_TIME: return Types.TimeType.get();
            case UUID: return Types.UUIDType.get();
            case BITS: return Types.BinaryType.get();
            case MICRO_DURATION: return Types.LongType.get();
            default: return null; // Json, Xml, Enum, ZonedTime...: their kind (STRING) decides
        }
    }

    private static Type decimal(FieldType type) {
        int scale = intParam(type, SCALE, intParam(type, COLUMN_SCALE, 0));
        int precision = intParam(type, PRECISION, intParam(type, COLUMN_LENGTH, MAX_DECIMAL_PRECISION));
        if (precision > MAX_DECIMAL_PRECISION || scale > precision) {
            return Types.StringType.get();
        }
        return Types.DecimalType.of(precision, scale);
    }

    private static int intParam(FieldType type, String name, int fallback) {
        String v = type.parameters().get(name);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
