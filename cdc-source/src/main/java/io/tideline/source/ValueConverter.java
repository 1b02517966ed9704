package io.tideline.source;

import io.tideline.api.FieldType;
import io.tideline.api.Row;
import io.tideline.api.Unchanged;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Turns Kafka Connect values into the plain Java values of the Tideline API (Struct → {@link Row},
 * ByteBuffer → byte[], lists and maps converted element-wise) and Debezium's placeholder for a TOASTed column
 * that an UPDATE left unchanged into {@link Unchanged#VALUE}, so that no sink can mistake it for data.
 * Not thread-safe (its {@link TypeConverter} caches).
 */
final class ValueConverter {

    private static final long MILLIS_PER_DAY = TimeUnit.DAYS.toMillis(1);

    private final TypeConverter types;
    private final String placeholder;
    private final byte[] placeholderBytes;

    ValueConverter(TypeConverter types, String unavailableValuePlaceholder) {
        this.types = types;
        this.placeholder = unavailableValuePlaceholder;
        this.placeholderBytes = unavailableValuePlaceholder.getBytes(StandardCharsets.UTF_8);
    }

    /** A struct as a row; null stays null. */
    Row row(Struct struct) {
        return struct == null ? null : (Row) convert(struct, struct.schema());
    }

    Object convert(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        if (value instanceof Struct struct) {
            FieldType type = types.convert(struct.schema());
            List<org.apache.kafka.connect.data.Field> fields = struct.schema().fields();
            Object[] values = new Object[fields.size()];
            for (int i = 0; i < values.length; i++) {
                org.apache.kafka.connect.data.Field f = fields.get(i);
                values[i] = convert(struct.get(f), f.schema());
            }
            return new Row(type, values);
        }
        if (value instanceof String s) {
            return s.equals(placeholder) ? Unchanged.VALUE : s;
        }
        if (value instanceof ByteBuffer || value instanceof byte[]) {
            byte[] bytes = bytes(value);
            return Arrays.equals(bytes, placeholderBytes) ? Unchanged.VALUE : bytes;
        }
        if (value instanceof List<?> list) {
            // Debezium sends an unchanged TOASTed array as a one-element list holding the placeholder.
            if (list.size() == 1 && placeholder.equals(list.get(0))) {
                return Unchanged.VALUE;
            }
            Schema element = schema == null ? null : schema.valueSchema();
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(convert(o, element));
            }
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Schema keySchema = schema == null ? null : schema.keySchema();
            Schema valueSchema = schema == null ? null : schema.valueSchema();
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(convert(k, keySchema), convert(v, valueSchema)));
            return out;
        }
        if (value instanceof java.util.Date date) {
            return date(date, schema);
        }
        return value;
    }

    /** Conversion without placeholder detection, for schema defaults. */
    static Object plain(Object value) {
        if (value instanceof ByteBuffer || value instanceof byte[]) {
            return bytes(value);
        }
        if (value instanceof java.util.Date date) {
            return date(date, null);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(o -> out.add(plain(o)));
            return out;
        }
        return value instanceof Struct ? null : value;
    }

    private static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b.clone();
        }
        ByteBuffer buffer = ((ByteBuffer) value).duplicate();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    /**
     * Only reached when a user overrides {@code time.precision.mode=connect}: Connect's Date, Time and
     * Timestamp become the numbers their logical types stand for, as Connect's JSON converter writes them.
     */
    private static Object date(java.util.Date date, Schema schema) {
        String name = schema == null ? null : schema.name();
        long millis = date.getTime();
        if (org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(name)) {
            return (int) Math.floorDiv(millis, MILLIS_PER_DAY);
        }
        if (org.apache.kafka.connect.data.Time.LOGICAL_NAME.equals(name)) {
            return (int) Math.floorMod(millis, MILLIS_PER_DAY);
        }
        return millis;
    }
}
