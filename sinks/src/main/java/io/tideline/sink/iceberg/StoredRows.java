package io.tideline.sink.iceberg;

import io.tideline.api.Position;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads the rows a table currently stores for some keys, with Iceberg's generic reader (deletes applied): where
 * an unchanged TOAST value gets its real value from. In a changelog (append) table the newest non-delete row of a
 * key wins.
 */
final class StoredRows {

    private static final int MAX_KEYS_IN_FILTER = 1_000;

    private StoredRows() {
    }

    static Map<List<Object>, Record> read(Table table, List<String> keyColumns, Collection<List<Object>> keys) {
        Map<List<Object>, Record> found = new HashMap<>();
        if (keys.isEmpty() || table.currentSnapshot() == null) return found;
        Set<List<Object>> wanted = new HashSet<>(keys);
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).where(filter(keyColumns, wanted)).build()) {
            for (Record r : rows) {
                List<Object> key = Records.key(r, keyColumns);
                if (!wanted.contains(key) || "d".equals(r.getField(MetadataColumns.OP))) continue;
                Record previous = found.get(key);
                if (previous == null || newer(r, previous)) found.put(key, r.copy());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read stored rows of Iceberg table " + table.name() + ": " + e.getMessage()
                    + ". Check that the warehouse is reachable.", e);
        }
        return found;
    }

    private static boolean newer(Record a, Record b) {
        Object pa = a.getField(MetadataColumns.POSITION);
        Object pb = b.getField(MetadataColumns.POSITION);
        if (pa == null) return false;
        if (pb == null) return true;
        return Position.parse(pa.toString()).isAfter(Position.parse(pb.toString()));
    }

    /** A pushdown filter for the keys; the reader's result is matched exactly in memory anyway. */
    static Expression filter(List<String> keyColumns, Set<List<Object>> keys) {
        if (keys.size() > MAX_KEYS_IN_FILTER) return Expressions.alwaysTrue();
        if (keyColumns.size() == 1) {
            List<Object> literals = new ArrayList<>();
            for (List<Object> k : keys) {
                Object lit = literal(k.get(0));
                if (lit == null) return Expressions.alwaysTrue();
                literals.add(lit);
            }
            return Expressions.in(keyColumns.get(0), literals);
        }
        Expression any = Expressions.alwaysFalse();
        for (List<Object> k : keys) {
            Expression all = Expressions.alwaysTrue();
            for (int i = 0; i < keyColumns.size(); i++) {
                Object lit = literal(k.get(i));
                if (lit == null) return Expressions.alwaysTrue();
                all = Expressions.and(all, Expressions.equal(keyColumns.get(i), lit));
            }
            any = Expressions.or(any, all);
        }
        return any;
    }

    /** A value Iceberg's literals accept for the column's type, or null when there is none (no pushdown then). */
    private static Object literal(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof CharSequence || v instanceof UUID
                || v instanceof BigDecimal || v instanceof Boolean || v instanceof ByteBuffer) return v;
        if (v instanceof LocalDate d) return (int) d.toEpochDay();
        if (v instanceof LocalDateTime t) return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), t);
        if (v instanceof OffsetDateTime t) return ChronoUnit.MICROS.between(OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), t);
        return null;
    }
}
