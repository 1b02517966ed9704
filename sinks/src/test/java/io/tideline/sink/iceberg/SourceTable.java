package io.tideline.sink.iceberg;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A source table shaped like what the Debezium source hands over: a STRUCT row type whose fields carry Debezium's
 * logical names and column-type parameters, a key row of the primary-key columns, and positions.
 */
final class SourceTable {

    final TableId id;
    final FieldType rowType;
    final List<String> keyColumns;
    private final FieldType keyType;

    SourceTable(TableId id, List<Field> fields, List<String> keyColumns) {
        this.id = id;
        this.rowType = FieldType.struct(id.schema() + "." + id.table() + ".Value", true, fields);
        this.keyColumns = keyColumns;
        List<Field> keyFields = new ArrayList<>();
        for (String k : keyColumns) keyFields.add(rowType.field(k));
        this.keyType = keyColumns.isEmpty() ? null : FieldType.struct(id + ".Key", false, keyFields);
    }

    /** The same table after an ALTER TABLE: new row type, same key. */
    SourceTable altered(List<Field> fields) {
        return new SourceTable(id, fields, keyColumns);
    }

    Row row(Object... values) {
        return new Row(rowType, values);
    }

    ChangeEvent insert(Position p, Object... values) {
        return change(Op.CREATE, p, null, row(values));
    }

    ChangeEvent update(Position p, Object... values) {
        return change(Op.UPDATE, p, null, row(values));
    }

    /** A delete as Debezium sends it with the default replica identity: the before image has only key values. */
    ChangeEvent delete(Position p, Object... keyValues) {
        Object[] before = new Object[rowType.fields().size()];
        for (int i = 0; i < keyColumns.size(); i++) {
            before[indexOf(keyColumns.get(i))] = keyValues[i];
        }
        return change(Op.DELETE, p, new Row(rowType, before), null);
    }

    ChangeEvent change(Op op, Position p, Row before, Row after) {
        Row image = after != null ? after : before;
        Row key = null;
        if (keyType != null) {
            Object[] k = new Object[keyColumns.size()];
            for (int i = 0; i < k.length; i++) k[i] = image.get(keyColumns.get(i));
            key = new Row(keyType, k);
        }
        return new ChangeEvent(id, op, key, before, after, null, p, System.currentTimeMillis() - 50, true);
    }

    int indexOf(String column) {
        for (int i = 0; i < rowType.fields().size(); i++) {
            if (rowType.fields().get(i).name().equals(column)) return i;
        }
        throw new IllegalArgumentException("no column " + column);
    }

    // ---- field types as the Debezium Postgres connector produces them (precise decimals, adaptive time) ----

    static Field int32(String name, boolean optional) {
        return new Field(name, typed(FieldType.Kind.INT32, optional, null, "INT4", null, null));
    }

    static Field int16(String name) {
        return new Field(name, typed(FieldType.Kind.INT16, true, null, "INT2", null, null));
    }

    static Field int64(String name) {
        return new Field(name, typed(FieldType.Kind.INT64, true, null, "INT8", null, null));
    }

    static Field text(String name) {
        return new Field(name, typed(FieldType.Kind.STRING, true, null, "TEXT", null, null));
    }

    static Field varchar(String name, int length) {
        return new Field(name, typed(FieldType.Kind.STRING, true, null, "VARCHAR", length, null));
    }

    static Field bool(String name) {
        return new Field(name, typed(FieldType.Kind.BOOLEAN, true, null, "BOOL", null, null));
    }

    static Field float4(String name) {
        return new Field(name, typed(FieldType.Kind.FLOAT32, true, null, "FLOAT4", null, null));
    }

    static Field float8(String name) {
        return new Field(name, typed(FieldType.Kind.FLOAT64, true, null, "FLOAT8", null, null));
    }

    static Field numeric(String name, int precision, int scale) {
        FieldType t = typed(FieldType.Kind.BYTES, true, TypeMapping.DECIMAL, "NUMERIC", precision, scale);
        Map<String, String> params = new java.util.HashMap<>(t.parameters());
        params.put("scale", Integer.toString(scale));
        params.put("connect.decimal.precision", Integer.toString(precision));
        return new Field(name, t.withLogical(TypeMapping.DECIMAL, 1, params));
    }

    static Field date(String name) {
        return new Field(name, typed(FieldType.Kind.INT32, true, TypeMapping.DATE, "DATE", null, null));
    }

    static Field timestamp(String name) {
        return new Field(name, typed(FieldType.Kind.INT64, true, TypeMapping.TIMESTAMP_MICROS, "TIMESTAMP", null, null));
    }

    static Field time(String name) {
        return new Field(name, typed(FieldType.Kind.INT64, true, TypeMapping.TIME_MICROS, "TIME", null, null));
    }

    static Field timestamptz(String name) {
        return new Field(name, typed(FieldType.Kind.STRING, true, TypeMapping.ZONED_TIMESTAMP, "TIMESTAMPTZ", null, null));
    }

    static Field uuid(String name) {
        return new Field(name, typed(FieldType.Kind.STRING, true, TypeMapping.UUID, "UUID", null, null));
    }

    static Field jsonb(String name) {
        return new Field(name, typed(FieldType.Kind.STRING, true, "io.debezium.data.Json", "JSONB", null, null));
    }

    static Field bytea(String name) {
        return new Field(name, typed(FieldType.Kind.BYTES, true, null, "BYTEA", null, null));
    }

    static Field textArray(String name) {
        FieldType element = FieldType.of(FieldType.Kind.STRING, true);
        FieldType t = new FieldType(FieldType.Kind.ARRAY, true, null, null,
                Map.of("__debezium.source.column.type", "_TEXT"), element, null, null, null);
        return new Field(name, t);
    }

    private static FieldType typed(FieldType.Kind kind, boolean optional, String logical, String columnType,
                                   Integer length, Integer scale) {
        Map<String, String> params = new java.util.HashMap<>();
        params.put("__debezium.source.column.type", columnType);
        if (length != null) params.put("__debezium.source.column.length", length.toString());
        if (scale != null) params.put("__debezium.source.column.scale", scale.toString());
        return new FieldType(kind, optional, logical, logical == null ? null : 1, params, null, null, null, null);
    }
}
