package io.tideline.source;

import io.tideline.api.Row;
import io.tideline.api.Unchanged;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class SourceRecordCodecTest {

    private final Schema amount = Decimal.builder(2).optional().parameter("__debezium.source.column.type", "NUMERIC").build();
    private final Schema row = SchemaBuilder.struct().name("t.public.x.Value").version(2).optional()
            .field("id", Schema.INT32_SCHEMA).field("amount", amount).field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("note", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ints", SchemaBuilder.array(Schema.OPTIONAL_INT32_SCHEMA).optional().build()).build();
    private final Schema envelope = SchemaBuilder.struct().name("t.public.x.Envelope")
            .field("before", row).field("after", row).field("op", Schema.STRING_SCHEMA).build();

    @Test
    void aSpilledChangeConvertsExactlyLikeTheOriginal() {
        Struct after = new Struct(row).put("id", 1).put("amount", new BigDecimal("12.34"))
                .put("raw", ByteBuffer.wrap(new byte[]{9, 8})).put("note", "__debezium_unavailable_value")
                .put("ints", List.of(1, 2));
        SourceRecord original = new SourceRecord(null, null, "t.public.x", null, null, null, envelope,
                new Struct(envelope).put("after", after).put("op", "c"));
        SourceRecordCodec codec = new SourceRecordCodec();
        SourceRecord back = codec.decode(codec.encode(original));

        ValueConverter values = new ValueConverter(new TypeConverter(), "__debezium_unavailable_value");
        Row a = values.row(((Struct) original.value()).getStruct("after"));
        Row b = values.row(((Struct) back.value()).getStruct("after"));
        assertEquals(a.schema(), b.schema(), "names, versions, parameters survive");
        assertEquals(new BigDecimal("12.34"), b.get("amount"));
        assertArrayEquals(new byte[]{9, 8}, (byte[]) b.get("raw"));
        assertSame(Unchanged.VALUE, b.get("note"));
        assertEquals(List.of(1, 2), b.get("ints"));
        assertNull(back.key());
        assertEquals("t.public.x", back.topic());
    }
}
