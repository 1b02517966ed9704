package io.tideline.sink.iceberg;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Row;
import io.tideline.api.Unchanged;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Turns row images into Iceberg generic records of the table's current schema. */
final class Records {

    private Records() {
    }

    /** A record plus the columns whose value was an unchanged TOAST placeholder (left null, to be filled). */
    record Built(Record record, Set<String> unchanged) {
    }

    static Built build(Schema schema, ChangeEvent e, Row image) {
        GenericRecord record = GenericRecord.create(schema);
        Set<String> unchanged = null;
        for (Types.NestedField f : image == null ? List.<Types.NestedField>of() : schema.columns()) {
            String name = f.name();
            if (MetadataColumns.NAMES.contains(name)) continue;
            int i = image.indexOf(name);
            if (i < 0) continue;
            Object v = image.get(i);
            if (v == Unchanged.VALUE) {
                if (unchanged == null) unchanged = new HashSet<>();
                unchanged.add(name);
                continue;
            }
            try {
                record.setField(name, ValueConversion.toIceberg(v, image.schema().fields().get(i).type(), f.type()));
            } catch (RuntimeException ex) {
                throw new ValueConversionException("Cannot convert column '" + name + "' of " + e.table() + " at position "
                        + e.position() + " to Iceberg type " + f.type() + ": " + ex.getMessage() + " (value " + shown(v)
                        + "). Check the column's type mapping (README, Types and names at their edges).", ex);
            }
        }
        record.setField(MetadataColumns.OP, e.op().code());
        record.setField(MetadataColumns.POSITION, e.position().toString());
        record.setField(MetadataColumns.COMMIT_TS, OffsetDateTime.ofInstant(Instant.ofEpochMilli(e.commitTimeMs()), ZoneOffset.UTC));
        return new Built(record, unchanged == null ? Set.of() : unchanged);
    }

    /** A value as an error message shows it: its type and at most 100 characters of its text. */
    static String shown(Object v) {
        String text = String.valueOf(v);
        return v.getClass().getSimpleName() + " '" + (text.length() <= 100 ? text : text.substring(0, 100) + "...' ("
                + text.length() + " characters)") + (text.length() <= 100 ? "'" : "");
    }

    /** The values of {@code columns} in a record, in order: a key comparable with what the generic reader returns. */
    static List<Object> key(Record record, List<String> columns) {
        List<Object> key = new ArrayList<>(columns.size());
        for (String c : columns) key.add(record.getField(c));
        return key;
    }

    /** A record of {@code deleteSchema} holding the key columns of {@code row}. */
    static Record keyRecord(Schema deleteSchema, Record row) {
        GenericRecord key = GenericRecord.create(deleteSchema);
        for (Types.NestedField f : deleteSchema.columns()) key.setField(f.name(), row.getField(f.name()));
        return key;
    }
}
