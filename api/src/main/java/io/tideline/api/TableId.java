package io.tideline.api;

/** A source table, by schema and name exactly as PostgreSQL spells them (case kept, no quotes). */
public record TableId(String schema, String table) {

    public TableId {
        if (schema == null || schema.isEmpty() || table == null || table.isEmpty()) {
            throw new IllegalArgumentException("Cannot name table: schema and table must be non-empty, got '"
                    + schema + "." + table + "'.");
        }
    }

    /** Parses {@code schema.table}; a name without a dot is taken to be in {@code public}. */
    public static TableId parse(String text) {
        int dot = text.indexOf('.');
        return dot < 0 ? new TableId("public", text) : new TableId(text.substring(0, dot), text.substring(dot + 1));
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
