package io.tideline.runtime;

import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Row;
import io.tideline.api.Unchanged;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Column include/exclude and masking for one table. Rebuilds the row's {@link FieldType}: dropped fields go,
 * masked fields become optional-preserving STRING fields holding the hex digest.
 *
 * <p>Key columns are never dropped (sinks need them to upsert and delete), and a masked key column is masked in
 * the key and in both images alike, so every change of one key still hashes to one partition.
 * Plans are cached per row schema: sources reuse one schema instance per table version.
 */
final class RowShaper {

    /** What to do with a row of one schema: which source fields to keep, which to mask, the new schema. */
    private record Plan(int[] kept, boolean[] masked, FieldType schema, boolean identity) {
    }

    private record PlanKey(FieldType schema, Set<String> keyColumns) {
    }

    private final Set<String> include; // null: all
    private final Set<String> exclude;
    private final Set<String> mask;
    private final Masker masker;
    private final Map<PlanKey, Plan> plans = new ConcurrentHashMap<>();
    private volatile Object[] lastPlan = {null, null, null}; // schema, key schema, plan: checked by identity first

    RowShaper(Set<String> include, Set<String> exclude, Set<String> mask, Masker masker) {
        this.include = include;
        this.exclude = exclude == null ? Set.of() : exclude;
        this.mask = mask == null ? Set.of() : mask;
        this.masker = masker;
    }

    boolean isNoOp() {
        return include == null && exclude.isEmpty() && mask.isEmpty();
    }

    /** Reshapes a before/after image; {@code key} names the key columns that must survive. */
    Row shape(Row row, Row key) {
        if (row == null) return null;
        Plan plan = plan(row.schema(), key == null ? null : key.schema());
        if (plan.identity) return row;
        Object[] values = new Object[plan.kept.length];
        for (int i = 0; i < values.length; i++) {
            Object v = row.get(plan.kept[i]);
            values[i] = plan.masked[i] && v != Unchanged.VALUE ? masker.mask(v) : v;
        }
        return new Row(plan.schema, values);
    }

    /** The key with its masked columns masked the same way as in the images. */
    Row shapeKey(Row key) {
        if (key == null || mask.isEmpty()) return key;
        Plan plan = plan(key.schema(), key.schema());
        if (plan.identity) return key;
        Object[] values = new Object[plan.kept.length];
        for (int i = 0; i < values.length; i++) {
            Object v = key.get(plan.kept[i]);
            values[i] = plan.masked[i] ? masker.mask(v) : v;
        }
        return new Row(plan.schema, values);
    }

    private Plan plan(FieldType schema, FieldType keySchema) {
        Object[] last = lastPlan;
        if (last[0] == schema && last[1] == keySchema) return (Plan) last[2];
        Set<String> keyColumns = keySchema == null ? Set.of()
                : Set.copyOf(keySchema.fields().stream().map(Field::name).toList());
        Plan plan = plans.computeIfAbsent(new PlanKey(schema, keyColumns), k -> build(schema, keyColumns));
        lastPlan = new Object[]{schema, keySchema, plan};
        return plan;
    }

    private Plan build(FieldType schema, Set<String> keyColumns) {
        List<Field> fields = schema.fields();
        List<Integer> kept = new ArrayList<>();
        List<Field> out = new ArrayList<>();
        List<Boolean> masked = new ArrayList<>();
        boolean identity = true;
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            boolean isKey = keyColumns.contains(f.name());
            boolean keep = isKey || ((include == null || include.contains(f.name())) && !exclude.contains(f.name()));
            if (!keep) {
                identity = false;
                continue;
            }
            boolean m = mask.contains(f.name());
            kept.add(i);
            masked.add(m);
            out.add(m ? new Field(f.name(), FieldType.of(FieldType.Kind.STRING, f.type().optional())) : f);
            identity &= !m;
        }
        int[] keptArr = kept.stream().mapToInt(Integer::intValue).toArray();
        boolean[] maskedArr = new boolean[masked.size()];
        for (int i = 0; i < maskedArr.length; i++) maskedArr[i] = masked.get(i);
        FieldType newSchema = identity ? schema : FieldType.struct(schema.logicalName(), schema.optional(), out);
        return new Plan(keptArr, maskedArr, newSchema, identity);
    }
}
