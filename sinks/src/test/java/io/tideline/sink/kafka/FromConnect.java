package io.tideline.sink.kafka;

import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Row;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: Connect schemas and values as Tideline types, the way the source hands them over. */
final class FromConnect {

    private FromConnect() {
    }

    static FieldType type(Schema s) {
        FieldType.Kind kind = FieldType.Kind.valueOf(s.type().name().replace("BOOLEAN", "BOOLEAN"));
        List<Field> fields = null;
        if (s.type() == Schema.Type.STRUCT) {
            fields = new ArrayList<>();
            for (org.apache.kafka.connect.data.Field f : s.fields()) fields.add(new Field(f.name(), type(f.schema())));
        }
        FieldType element = s.type() == Schema.Type.ARRAY ? type(s.valueSchema())
                : s.type() == Schema.Type.MAP ? type(s.keySchema()) : null;
        FieldType value = s.type() == Schema.Type.MAP ? type(s.valueSchema()) : null;
        return new FieldType(kind, s.isOptional(), s.name(), s.version(), s.parameters(), element, value, fields,
                s.defaultValue() == null ? null : value(s.defaultValue(), s));
    }

    static Object value(Object v, Schema s) {
        if (v == null) return null;
        if (v instanceof Struct st) {
            Object[] values = new Object[st.schema().fields().size()];
            for (int i = 0; i < values.length; i++) {
                org.apache.kafka.connect.data.Field f = st.schema().fields().get(i);
                values[i] = value(st.get(f), f.schema());
            }
            return new Row(type(st.schema()), values);
        }
        if (v instanceof ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(value(o, s.valueSchema()));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(value(k, s.keySchema()), value(x, s.valueSchema())));
            return out;
        }
        return v;
    }

    static Row row(Struct s) {
        return (Row) value(s, s.schema());
    }
}
