package io.tideline.microbatch;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;

import java.util.List;

/** Rows of a table {@code public.t(id int, body text, n int)} keyed by id. */
final class TestRows {

    static final TableId T = new TableId("public", "t");
    static final FieldType KEY = FieldType.struct("t.Key", false, List.of(new Field("id", FieldType.of(FieldType.Kind.INT32, false))));
    static final FieldType VALUE = FieldType.struct("t.Value", false, List.of(
            new Field("id", FieldType.of(FieldType.Kind.INT32, false)),
            new Field("body", FieldType.of(FieldType.Kind.STRING, true)),
            new Field("n", FieldType.of(FieldType.Kind.INT32, true))));

    private TestRows() {
    }

    static Row key(int id) {
        return new Row(KEY, new Object[]{id});
    }

    static Row value(int id, Object body, Integer n) {
        return new Row(VALUE, new Object[]{id, body, n});
    }

    static ChangeEvent change(Op op, int id, Object body, Integer n, long lsn) {
        Row after = op == Op.DELETE ? null : value(id, body, n);
        Row before = op == Op.DELETE ? value(id, null, null) : null;
        return new ChangeEvent(T, op, key(id), before, after, null, new Position(lsn, 0), lsn, true);
    }
}
