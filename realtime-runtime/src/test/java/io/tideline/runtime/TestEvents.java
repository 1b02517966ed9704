package io.tideline.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic changes of {@code public.t(id int primary key, v bigint, s text)}. */
final class TestEvents {

    static final TableId T = new TableId("public", "t");
    static final FieldType KEY = FieldType.struct("t.Key", false, List.of(new Field("id", FieldType.of(FieldType.Kind.INT32, false))));
    static final FieldType VALUE = FieldType.struct("t.Value", false, List.of(
            new Field("id", FieldType.of(FieldType.Kind.INT32, false)),
            new Field("v", FieldType.of(FieldType.Kind.INT64, true)),
            new Field("s", FieldType.of(FieldType.Kind.STRING, true))));

    private TestEvents() {
    }

    static Row key(int id) {
        return new Row(KEY, new Object[]{id});
    }

    static Row value(int id, Long v, String s) {
        return new Row(VALUE, new Object[]{id, v, s});
    }

    static ChangeEvent event(int id, long lsn, int index, boolean last) {
        return new ChangeEvent(T, Op.UPDATE, key(id), null, value(id, lsn * 100 + index, "s" + id), null,
                new Position(lsn, index), lsn, last);
    }

    /** {@code transactions} transactions of 1..maxSize changes to random keys in [0, keys). */
    static List<List<ChangeEvent>> random(long seed, int transactions, int maxSize, int keys) {
        Random r = new Random(seed);
        List<List<ChangeEvent>> out = new ArrayList<>();
        for (int t = 0; t < transactions; t++) {
            int size = 1 + r.nextInt(maxSize);
            long lsn = 1_000 + t * 10L;
            List<ChangeEvent> tx = new ArrayList<>();
            for (int i = 0; i < size; i++) tx.add(event(r.nextInt(keys), lsn, i, i == size - 1));
            out.add(tx);
        }
        return out;
    }

    static int count(List<List<ChangeEvent>> txs) {
        return txs.stream().mapToInt(List::size).sum();
    }
}
