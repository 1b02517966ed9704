package io.tideline.bench.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;
import io.tideline.runtime.Operators;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The synthetic workload both paths run: single-row transactions on {@code public.orders(id, amount, email)}
 * over 100k keys, through the same stage-1 operators (a row filter that keeps everything and a salted
 * SHA-256 mask of one column), then a shuffle to a no-op sink. Record {@code i} has position {@code (i+1)/0}
 * and its emit time in {@link #emitNanos}.
 */
final class BenchWorkload {

    static final TableId TABLE = new TableId("public", "orders");
    static final FieldType KEY = FieldType.struct("orders.Key", false, List.of(new Field("id", FieldType.of(FieldType.Kind.INT64, false))));
    static final FieldType VALUE = FieldType.struct("orders.Value", false, List.of(
            new Field("id", FieldType.of(FieldType.Kind.INT64, false)),
            new Field("amount", FieldType.of(FieldType.Kind.INT64, true)),
            new Field("email", FieldType.of(FieldType.Kind.STRING, true))));

    final int records;
    /** Offered rate in records/s, or 0 for as fast as the pipeline accepts (closed loop). */
    final int rate;
    final long[] emitNanos;
    final Operators operators = Operators.fromProperties(Map.of(
            "public.orders.filter", "amount >= 0",
            "public.orders.columns.mask", "email",
            "mask.salt", "bench-salt"));

    BenchWorkload(int records, int rate) {
        this.records = records;
        this.rate = rate;
        this.emitNanos = new long[records];
    }

    ChangeEvent event(int i, SplittableRandom random) {
        long id = random.nextInt(100_000);
        Row key = new Row(KEY, new Object[]{id});
        Row after = new Row(VALUE, new Object[]{id, (long) random.nextInt(1_000_000), "user" + id + "@example.com"});
        return new ChangeEvent(TABLE, Op.UPDATE, key, null, after, null, new Position(i + 1L, 0), System.currentTimeMillis(), true);
    }

    static int index(ChangeEvent e) {
        return (int) (e.position().commitLsn() - 1);
    }

    /**
     * Waits until record {@code i}'s scheduled send time (open loop) and returns the time its latency counts from:
     * the schedule, so a stalled pipeline cannot hide its backlog (no coordinated omission).
     */
    long awaitSchedule(int i, long startNanos) {
        if (rate <= 0) return System.nanoTime();
        long scheduled = startNanos + (long) (i * (1e9 / rate));
        long now;
        while ((now = System.nanoTime()) < scheduled) {
            long left = scheduled - now;
            // never spin: on two cores a spinning generator steals the CPU the pipeline under test needs
            if (left > 100_000) LockSupport.parkNanos(left - 80_000);
            else Thread.yield();
        }
        return scheduled;
    }
}
