package io.tideline.source;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PendingChangeTest {

    private static final Schema KEY = SchemaBuilder.struct().name("t.public.x.Key").field("id", Schema.INT32_SCHEMA).build();
    private static final Schema ROW = SchemaBuilder.struct().name("t.public.x.Value").optional()
            .field("id", Schema.INT32_SCHEMA).field("note", Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("t.public.x.Envelope")
            .field("before", ROW).field("after", ROW).field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();

    @TempDir
    Path spillDir;

    private final RecordConverter converter = new RecordConverter(
            new ValueConverter(new TypeConverter(), "__debezium_unavailable_value"));

    private static SourceRecord insert(int id) {
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", "x").put("ts_ms", 1_700_000_000_000L + id);
        Struct value = new Struct(ENVELOPE).put("after", new Struct(ROW).put("id", id).put("note", "n" + id))
                .put("source", source).put("op", "c");
        return new SourceRecord(null, null, "t.public.x", null, KEY, new Struct(KEY).put("id", id), ENVELOPE, value);
    }

    @Test
    void changesHeldInMemoryAndChangesSpilledComeBackAsTheSameConvertedChanges() throws Exception {
        TransactionBuffer<PendingChange> buffer = new TransactionBuffer<>(2, spillDir, new PendingChange.Codec(),
                change -> change.compact(converter));
        List<SourceRecord> records = List.of(insert(1), insert(2), insert(3), insert(4));
        records.forEach(r -> buffer.add(PendingChange.of(r)));
        assertTrue(buffer.spilled(), "two of four changes go to disk");

        List<Unstamped> drained = new ArrayList<>();
        buffer.drain((change, index, last) -> drained.add(change.unstamped(converter)));
        assertEquals(4, drained.size());
        for (int i = 0; i < records.size(); i++) {
            Unstamped expected = converter.convert(records.get(i));
            Unstamped got = drained.get(i);
            assertEquals(expected.table(), got.table());
            assertEquals(expected.op(), got.op());
            assertEquals(expected.key(), got.key());
            assertEquals(expected.after(), got.after());
            assertEquals(expected.commitTimeMs(), got.commitTimeMs());
        }
    }

    @Test
    void aConvertedChangeIsNeverSpilled() {
        PendingChange compacted = PendingChange.of(insert(1)).compact(converter);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PendingChange.Codec().encode(compacted));
        assertTrue(e.getMessage().contains("already converted"), e.getMessage());
    }
}
