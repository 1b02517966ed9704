package io.tideline.sink.iceberg;

import io.tideline.api.Field;
import io.tideline.api.FieldType;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a table's schema from the first row seen and keeps it in step with later rows.
 *
 * <p>Evolution rules: a new source column is added (optional); a dropped source column is deleted from the
 * Iceberg schema so reads match PostgreSQL (old data files keep their bytes, Iceberg ignores them by field id);
 * int → long, float → double and decimal(p,s) → decimal(p',s) with p' ≥ p widen the column; a narrower source
 * type than the table's (e.g. bigint → int) keeps the wider column; a column gone while a new one of the same type
 * appears is taken for a rename; that and anything else incompatible parks the table (see IcebergSink#park). Primary-key columns are required identifier fields; every other column is optional.
 */
final class TableSchemas {

    private TableSchemas() {
    }

    /** The schema for a new table; identifier fields only when every key column can be one. */
    static Schema initial(FieldType row, List<String> keyColumns) {
        AtomicInteger nested = new AtomicInteger(10_000);
        List<Types.NestedField> fields = new ArrayList<>();
        Set<Integer> identifiers = new HashSet<>();
        int id = 1;
        for (Field f : row.fields()) {
            Type type = TypeMapping.icebergType(f.type(), nested);
            boolean key = keyColumns.contains(f.name());
            if (key && canIdentify(type)) {
                fields.add(Types.NestedField.required(id, f.name(), type));
                identifiers.add(id);
            } else {
                fields.add(Types.NestedField.optional(id, f.name(), type));
            }
            id++;
        }
        fields.addAll(MetadataColumns.fields(id));
        if (identifiers.size() != keyColumns.size()) identifiers.clear();
        return new Schema(fields, identifiers);
    }

    private static boolean canIdentify(Type type) {
        return type.isPrimitiveType() && type.typeId() != Type.TypeID.FLOAT && type.typeId() != Type.TypeID.DOUBLE;
    }

    /**
     * Brings the table's schema in line with {@code row} and commits the change, if any. Returns whether the
     * schema changed.
     *
     * @throws IncompatibleSchemaChangeException naming table and column when Iceberg cannot follow the change
     */
    static boolean evolve(Table table, String tableName, FieldType row) {
        Schema current = table.schema();
        UpdateSchema update = table.updateSchema();
        boolean changed = false;
        Set<String> seen = new HashSet<>();
        for (Field f : row.fields()) {
            seen.add(f.name());
            Type desired = TypeMapping.icebergType(f.type());
            Types.NestedField existing = current.findField(f.name());
            if (existing == null) {
                update.addColumn(f.name(), desired);
                changed = true;
            } else if (!sameType(existing.type(), desired)) {
                if (desired.isPrimitiveType() && TypeUtil.isPromotionAllowed(existing.type(), desired.asPrimitiveType())) {
                    update.updateColumn(f.name(), desired.asPrimitiveType());
                    changed = true;
                } else if (!(existing.type().isPrimitiveType()
                        && TypeUtil.isPromotionAllowed(desired, existing.type().asPrimitiveType()))) {
                    throw new IncompatibleSchemaChangeException(tableName, f.name(), "Cannot evolve Iceberg table "
                            + tableName + ": column '" + f.name() + "' changed from " + existing.type() + " to " + desired
                            + ", which Iceberg cannot widen. The table is parked (the other tables go on, the slot is held"
                            + " for it): revert the column type in PostgreSQL and restart, or drop the Iceberg table, run"
                            + " `tideline snapshot --config FILE --table <schema.table>` and restart.");
                }
            }
        }
        for (Types.NestedField f : current.columns()) {
            if (seen.contains(f.name()) || MetadataColumns.NAMES.contains(f.name())) continue;
            refuseLikelyRename(tableName, f, current, row);
            if (current.identifierFieldIds().contains(f.fieldId())) {
                throw new IncompatibleSchemaChangeException(tableName, f.name(), "Cannot evolve Iceberg table "
                        + tableName + ": primary-key column '" + f.name() + "' was dropped in PostgreSQL. The table is "
                        + "parked (the other tables go on, the slot is held for it): drop the Iceberg table, run"
                        + " `tideline snapshot --config FILE --table <schema.table>` and restart.");
            }
            update.deleteColumn(f.name());
            changed = true;
        }
        if (changed) update.commit();
        return changed;
    }

    /**
     * A column gone and a new one of the same type in one change is how PostgreSQL's RENAME COLUMN reaches a sink
     * (pgoutput carries names, not column numbers). Following it as a drop and an add would show null in the new
     * column for every row not changed since, so the table is parked instead, with both ways forward.
     */
    private static void refuseLikelyRename(String tableName, Types.NestedField gone, Schema current, FieldType row) {
        for (Field f : row.fields()) {
            if (current.findField(f.name()) != null || !sameType(gone.type(), TypeMapping.icebergType(f.type()))) continue;
            throw new IncompatibleSchemaChangeException(tableName, gone.name(), "Cannot evolve Iceberg table " + tableName
                    + ": column '" + gone.name() + "' is gone and '" + f.name() + "' of the same type " + gone.type()
                    + " appeared in one change, which is how a RENAME COLUMN arrives; as a drop and an add, '" + f.name()
                    + "' would be null for every row not changed since. The table is parked (the other tables go on, the"
                    + " slot is held for it). A rename: rename the Iceberg column too (Spark: ALTER TABLE " + tableName
                    + " RENAME COLUMN " + gone.name() + " TO " + f.name() + "). A drop and an add: drop the Iceberg column"
                    + " (ALTER TABLE " + tableName + " DROP COLUMN " + gone.name() + "). Then restart.");
        }
    }

    private static boolean sameType(Type a, Type b) {
        if (a.isPrimitiveType() || b.isPrimitiveType()) return a.equals(b);
        // Nested types carry field ids that differ between the table and a freshly mapped type: compare shapes.
        if (a.typeId() != b.typeId()) return false;
        List<Types.NestedField> fa = a.asNestedType().fields();
        List<Types.NestedField> fb = b.asNestedType().fields();
        if (fa.size() != fb.size()) return false;
        for (int i = 0; i < fa.size(); i++) {
            if (!fa.get(i).name().equals(fb.get(i).name()) || !sameType(fa.get(i).type(), fb.get(i).type())) return false;
        }
        return true;
    }
}
