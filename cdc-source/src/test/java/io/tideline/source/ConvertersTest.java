package io.tideline.source;

import io.tideline.api.FieldType;
import io.tideline.api.Row;
import io.tideline.api.Unchanged;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvertersTest {

    private static final String PLACEHOLDER = "__debezium_unavailable_value";
    private final TypeConverter types = new TypeConverter();
    private final ValueConverter values = new ValueConverter(types, PLACEHOLDER);

    private final Schema amount = Decimal.builder(2).optional()
            .parameter("__debezium.source.column.type", "NUMERIC")
            .parameter("__debezium.source.column.length", "10")
            .parameter("__debezium.source.column.scale", "2").build();
    private final Schema row = SchemaBuilder.struct().name("db.public.t.Value").version(1)
            .field("id", Schema.INT32_SCHEMA)
            .field("amount", amount)
            .field("note", SchemaBuilder.string().optional().defaultValue("n/a").build())
            .field("data", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
            .field("attrs", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).optional().build())
            .build();

    @Test
    void schemaBecomesFieldTypeWithLogicalNameParametersAndNestedTypes() {
        FieldType t = types.convert(row);
        assertEquals(FieldType.Kind.STRUCT, t.kind());
        assertEquals("db.public.t.Value", t.logicalName());
        assertEquals(1, t.version());
        FieldType a = t.field("amount").type();
        assertEquals(FieldType.Kind.BYTES, a.kind());
        assertEquals(Decimal.LOGICAL_NAME, a.logicalName());
        assertEquals("NUMERIC", a.sourceColumnType());
        assertEquals("2", a.parameters().get("scale"));
        assertEquals("10", a.parameters().get("__debezium.source.column.length"));
        assertTrue(a.optional());
        assertFalse(t.field("id").type().optional());
        assertEquals("n/a", t.field("note").type().defaultValue());
        assertEquals(FieldType.Kind.STRING, t.field("tags").type().elementType().kind());
        assertEquals(FieldType.Kind.STRING, t.field("attrs").type().valueType().kind());
        assertSame(t, types.convert(row), "the same schema object converts once");
    }

    @Test
    void valuesBecomePlainJava() {
        Struct s = new Struct(row).put("id", 7).put("amount", new BigDecimal("12.34")).put("note", "hi")
                .put("data", ByteBuffer.wrap(new byte[]{1, 2, 3})).put("tags", List.of("a", "b"))
                .put("attrs", Map.of("k", "v"));
        Row r = values.row(s);
        assertEquals(7, r.get("id"));
        assertEquals(new BigDecimal("12.34"), r.get("amount"));
        assertEquals("hi", r.get("note"));
        assertArrayEquals(new byte[]{1, 2, 3}, (byte[]) r.get("data"));
        assertEquals(List.of("a", "b"), r.get("tags"));
        assertEquals(Map.of("k", "v"), r.get("attrs"));
        assertEquals(types.convert(row), r.schema());
    }

    @Test
    void toastPlaceholderBecomesUnchangedAsTextBytesAndArray() {
        Struct s = new Struct(row).put("id", 1).put("note", PLACEHOLDER)
                .put("data", ByteBuffer.wrap(PLACEHOLDER.getBytes(StandardCharsets.UTF_8)))
                .put("tags", List.of(PLACEHOLDER));
        Row r = values.row(s);
        assertSame(Unchanged.VALUE, r.get("note"));
        assertSame(Unchanged.VALUE, r.get("data"));
        assertSame(Unchanged.VALUE, r.get("tags"));
    }

    @Test
    void configuredPlaceholderIsHonoured() {
        ValueConverter custom = new ValueConverter(types, "<toast>");
        Row r = custom.row(new Struct(row).put("id", 1).put("note", "<toast>"));
        assertSame(Unchanged.VALUE, r.get("note"));
        assertEquals(PLACEHOLDER, custom.row(new Struct(row).put("id", 1).put("note", PLACEHOLDER)).get("note"));
    }

    @Test
    void nestedStructBecomesNestedRow() {
        Schema inner = SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal")
                .field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).optional().build();
        Schema outer = SchemaBuilder.struct().name("outer").field("n", inner).build();
        Row r = values.row(new Struct(outer).put("n", new Struct(inner).put("scale", 1).put("value", new byte[]{5})));
        Row n = (Row) r.get("n");
        assertEquals(1, n.get("scale"));
        assertArrayEquals(new byte[]{5}, (byte[]) n.get("value"));
        assertEquals("io.debezium.data.VariableScaleDecimal", r.schema().field("n").type().logicalName());
    }
}
