package io.tideline.api;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** A struct value: values in the order of its {@link FieldType#fields()}. Immutable once built. */
public final class Row {

    private final FieldType schema;
    private final Object[] values;

    public Row(FieldType schema, Object[] values) {
        if (schema.kind() != FieldType.Kind.STRUCT || schema.fields().size() != values.length) {
            throw new IllegalArgumentException("Cannot build row: " + values.length + " values for "
                    + schema.fields().size() + " fields of " + schema.logicalName() + ".");
        }
        this.schema = schema;
        this.values = values.clone();
    }

    public FieldType schema() {
        return schema;
    }

    public int size() {
        return values.length;
    }

    public Object get(int i) {
        return values[i];
    }

    /** The value of a field by name; null when the field is absent or null. */
    public Object get(String name) {
        int i = indexOf(name);
        return i < 0 ? null : values[i];
    }

    public boolean has(String name) {
        return indexOf(name) >= 0;
    }

    public int indexOf(String name) {
        var fields = schema.fields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(name)) return i;
        }
        return -1;
    }

    public String name(int i) {
        return schema.fields().get(i).name();
    }

    /**
     * Roughly how many bytes of heap the values hold: what byte-bounded queues, buffers and batches count. Text counts
     * a byte per character (compact strings), nested rows and lists their elements; computed once (rows are immutable).
     */
    public long approxBytes() {
        long b = approxBytes;
        if (b == 0) {
            b = 16 + 8L * values.length;
            for (Object v : values) b += valueBytes(v);
            approxBytes = b;
        }
        return b;
    }

    private long approxBytes;

    private static long valueBytes(Object v) {
        if (v == null) return 0;
        if (v instanceof String s) return 40 + s.length();
        if (v instanceof byte[] a) return 16 + a.length;
        if (v instanceof java.nio.ByteBuffer bb) return 48 + bb.remaining();
        if (v instanceof Row r) return r.approxBytes();
        if (v instanceof java.util.Collection<?> c) {
            long b = 40;
            for (Object e : c) b += 8 + valueBytes(e);
            return b;
        }
        if (v instanceof Map<?, ?> m) {
            long b = 48;
            for (Map.Entry<?, ?> e : m.entrySet()) b += 32 + valueBytes(e.getKey()) + valueBytes(e.getValue());
            return b;
        }
        return 24;   // a boxed number, boolean, temporal or decimal
    }

    /** Field name → value, in field order; for logs and tests. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) m.put(name(i), values[i]);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Row r)) return false;
        return schema.equals(r.schema) && Arrays.deepEquals(values, r.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema.fields(), Arrays.deepHashCode(values));
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
