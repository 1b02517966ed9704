package io.tideline.bench.iceberg;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Synthetic change events for one {@code public.bench_orders} table, typed like the Debezium source's output
 * (int4 key, int4, numeric(10,2), varchar(20), timestamp(6), text). One change per transaction; the position's
 * commit LSN grows by one per change.
 */
final class SyntheticOrders {

    static final TableId TABLE = new TableId("public", "bench_orders");

    private static final FieldType ROW = FieldType.struct("bench.public.bench_orders.Value", true, List.of(
            new Field("id", typed(FieldType.Kind.INT32, false, null, Map.of("__debezium.source.column.type", "INT4"))),
            new Field("customer", typed(FieldType.Kind.INT32, true, null, Map.of("__debezium.source.column.type", "INT4"))),
            new Field("amount", typed(FieldType.Kind.BYTES, true, "org.apache.kafka.connect.data.Decimal",
                    Map.of("scale", "2", "connect.decimal.precision", "10", "__debezium.source.column.type", "NUMERIC"))),
            new Field("status", typed(FieldType.Kind.STRING, true, null,
                    Map.of("__debezium.source.column.type", "VARCHAR", "__debezium.source.column.length", "20"))),
            new Field("updated", typed(FieldType.Kind.INT64, true, "io.debezium.time.MicroTimestamp",
                    Map.of("__debezium.source.column.type", "TIMESTAMP"))),
            new Field("note", typed(FieldType.Kind.STRING, true, null, Map.of("__debezium.source.column.type", "TEXT")))));
    private static final FieldType KEY = FieldType.struct("bench.public.bench_orders.Key", false, List.of(ROW.fields().get(0)));
    private static final String[] STATUS = {"new", "paid", "shipped", "done"};

    private final Random random = new Random(42);
    private long lsn = 1_000;

    private static FieldType typed(FieldType.Kind kind, boolean optional, String logical, Map<String, String> params) {
        return new FieldType(kind, optional, logical, logical == null ? null : 1, params, null, null, null, null);
    }

    /** An insert (op c) of {@code id}, committed now. */
    ChangeEvent insert(int id) {
        return change(Op.CREATE, id);
    }

    /** An update of {@code id} with fresh values, committed now. */
    ChangeEvent update(int id) {
        return change(Op.UPDATE, id);
    }

    private ChangeEvent change(Op op, int id) {
        long nowMs = System.currentTimeMillis();
        Row after = new Row(ROW, new Object[]{id, random.nextInt(10_000),
                BigDecimal.valueOf(random.nextInt(1_000_000), 2), STATUS[random.nextInt(STATUS.length)],
                nowMs * 1_000, "note " + random.nextInt()});
        Row key = new Row(KEY, new Object[]{id});
        return new ChangeEvent(TABLE, op, key, null, after, null, new Position(lsn++, 0), nowMs, true);
    }
}
