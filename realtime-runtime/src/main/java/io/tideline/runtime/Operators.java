package io.tideline.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.TableId;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The stateless per-table operators of the pipeline: column include/exclude, column masking (salted SHA-256,
 * hex), a row filter and routing to another table name (which becomes the Kafka topic / Iceberg table).
 *
 * <p>Built from properties whose {@code tideline.transforms.} prefix is stripped:
 * <pre>
 * public.users.columns.include = id,email,created_at
 * public.users.columns.exclude = password_hash
 * public.users.columns.mask    = email
 * public.users.filter          = status != 'deleted'
 * public.users.route           = crm.customers
 * mask.salt                    = s3cret
 * </pre>
 * Thread-safe; one instance serves every operator worker.
 */
public final class Operators {

    static final String PREFIX = "tideline.transforms.";
    private static final List<String> SUFFIXES = List.of("columns.include", "columns.exclude", "columns.mask", "filter", "route");
    private static final Operators NONE = new Operators(Map.of());

    private final Map<TableId, TableOperators> byTable;

    private Operators(Map<TableId, TableOperators> byTable) {
        this.byTable = Map.copyOf(byTable);
    }

    public static Operators none() {
        return NONE;
    }

    /**
     * Parses the transform properties (prefix stripped; a leftover {@code tideline.transforms.} prefix is
     * tolerated). Errors name the property and say what shape was expected; the salt is never echoed.
     */
    public static Operators fromProperties(Map<String, String> properties) {
        String salt = null;
        Map<TableId, Map<String, String>> perTable = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (Map.Entry<String, String> entry : properties.entrySet()) {
            String key = entry.getKey().startsWith(PREFIX) ? entry.getKey().substring(PREFIX.length()) : entry.getKey();
            if (key.equals("mask.salt")) {
                salt = entry.getValue();
                continue;
            }
            String suffix = SUFFIXES.stream().filter(s -> key.endsWith("." + s)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException("Cannot read transform property '" + PREFIX + key + "': expected "
                            + PREFIX + "<schema>.<table>.<" + String.join("|", SUFFIXES) + "> or " + PREFIX + "mask.salt."));
            String table = key.substring(0, key.length() - suffix.length() - 1);
            if (!table.contains(".")) {
                throw new IllegalArgumentException("Cannot read transform property '" + PREFIX + key
                        + "': the table must be written <schema>.<table>, e.g. " + PREFIX + "public.users." + suffix + ".");
            }
            perTable.computeIfAbsent(TableId.parse(table), t -> new HashMap<>()).put(suffix, entry.getValue());
        }
        Masker masker = new Masker(salt);
        Map<TableId, TableOperators> byTable = new HashMap<>();
        for (Map.Entry<TableId, Map<String, String>> e : perTable.entrySet()) {
            TableId table = e.getKey();
            Map<String, String> p = e.getValue();
            String base = PREFIX + table + ".";
            Set<String> mask = columns(p.get("columns.mask"));
            if (!mask.isEmpty() && (salt == null || salt.isEmpty())) {
                throw new IllegalArgumentException("Cannot mask columns of " + table + " (" + base + "columns.mask): "
                        + PREFIX + "mask.salt is not set, and an unsalted hash of a column is easy to reverse. Set "
                        + PREFIX + "mask.salt.");
            }
            RowFilter filter = p.containsKey("filter") ? RowFilter.parse(base + "filter", p.get("filter")) : null;
            TableId route = null;
            if (p.containsKey("route")) {
                String r = p.get("route") == null ? "" : p.get("route").trim();
                if (r.isEmpty() || r.startsWith(".") || r.endsWith(".")) {
                    throw new IllegalArgumentException("Cannot read transform property " + base + "route='" + r
                            + "': expected a table name <schema>.<table> (or <table> for public).");
                }
                route = TableId.parse(r);
            }
            Set<String> include = p.containsKey("columns.include") ? columns(p.get("columns.include")) : null;
            if (include != null && include.isEmpty()) {
                throw new IllegalArgumentException("Cannot read transform property " + base
                        + "columns.include: it is empty. List the columns to keep, or remove the property.");
            }
            RowShaper shaper = new RowShaper(include, columns(p.get("columns.exclude")), mask, masker);
            byTable.put(table, new TableOperators(filter, shaper, route));
        }
        return new Operators(byTable);
    }

    private static Set<String> columns(String list) {
        if (list == null || list.isBlank()) return Set.of();
        Set<String> out = new LinkedHashSet<>();
        Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(out::add);
        return out;
    }

    public boolean isEmpty() {
        return byTable.isEmpty();
    }

    /** The change after this table's operators, or null when its row filter drops it. */
    public ChangeEvent apply(ChangeEvent event) {
        TableOperators ops = byTable.get(event.table());
        return ops == null ? event : ops.apply(event);
    }

    @Override
    public String toString() {
        return "Operators" + byTable.keySet();
    }
}
