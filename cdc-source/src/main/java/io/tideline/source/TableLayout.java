package io.tideline.source;

import io.tideline.api.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What chunking needs to know of a table, read from the catalog: its columns as the stream sends them (no
 * generated ones), its primary key (or none: then chunks are ranges of heap pages, read by TID range scans),
 * its size estimate; and the SQL that plans and reads chunks.
 */
record TableLayout(TableId table, List<String> columns, List<String> keyColumns, List<String> keyTypes,
                   long estimatedRows, long pages) {

    static TableLayout read(Connection c, TableId table) throws SQLException {
        long oid;
        long rows;
        long pages;
        try (PreparedStatement st = c.prepareStatement("SELECT c.oid, c.reltuples::bigint,"
                + " pg_relation_size(c.oid) / current_setting('block_size')::bigint"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            st.setString(1, table.schema());
            st.setString(2, table.table());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("Cannot snapshot table " + table + ": it does not exist. Remove it"
                            + " from tideline.source.table.include.list or create it.");
                }
                oid = rs.getLong(1);
                rows = Math.max(0, rs.getLong(2));
                pages = rs.getLong(3);
            }
        }
        List<String> columns = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT attname FROM pg_attribute WHERE attrelid = ? AND attnum > 0"
                + " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum")) {
            st.setLong(1, oid);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) columns.add(rs.getString(1));
            }
        }
        List<String> keys = new ArrayList<>();
        List<String> types = new ArrayList<>();
        try (PreparedStatement st = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod)"
                + " FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + " WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.ord")) {
            st.setLong(1, oid);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                    types.add(rs.getString(2));
                }
            }
        }
        if (rows == 0 && pages > 0) {
            rows = -1; // never analyzed: unknown
        }
        return new TableLayout(table, List.copyOf(columns), List.copyOf(keys), List.copyOf(types), rows, pages);
    }

    boolean keyed() {
        return !keyColumns.isEmpty();
    }

    String qualified() {
        return quote(table.schema()) + "." + quote(table.table());
    }

    /** {@code COPY} of one chunk: each row's {@code xmin} first, then the streamed columns. */
    String copySql(Chunk chunk) {
        StringBuilder sql = new StringBuilder("COPY (SELECT xmin");
        for (String col : columns) sql.append(", ").append(quote(col));
        sql.append(" FROM ").append(qualified());
        List<String> where = new ArrayList<>();
        if (keyed()) {
            if (chunk.lower() != null) where.add(keyTuple() + " > " + literalTuple(chunk.lower()));
            if (chunk.upper() != null) where.add(keyTuple() + " <= " + literalTuple(chunk.upper()));
        } else {
            if (chunk.lower() != null) where.add("ctid >= '(" + Long.parseLong(chunk.lower().get(0)) + ",0)'::tid");
            if (chunk.upper() != null) where.add("ctid < '(" + Long.parseLong(chunk.upper().get(0)) + ",0)'::tid");
        }
        if (!where.isEmpty()) sql.append(" WHERE ").append(String.join(" AND ", where));
        return sql.append(") TO STDOUT").toString();
    }

    /**
     * The upper bound of the chunk that starts after {@code lower}: the key {@code rows} rows further in key order,
     * or null when fewer rows are left (the chunk is the table's last, open-ended).
     */
    List<String> nextUpper(Connection c, List<String> lower, int rows, long pagesPerChunk) throws SQLException {
        if (!keyed()) {
            long from = lower == null ? 0 : Long.parseLong(lower.get(0));
            long to = from + pagesPerChunk;
            return to >= pages ? null : List.of(Long.toString(to));
        }
        // Aliased: ORDER BY on an output column named like the key would sort the text casts, not the keys.
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < keyColumns.size(); i++) {
            if (i > 0) sql.append(", ");
            sql.append(quote(keyColumns.get(i))).append("::text AS tideline_k").append(i);
        }
        sql.append(" FROM ").append(qualified());
        if (lower != null) sql.append(" WHERE ").append(keyTuple()).append(" > ").append(literalTuple(lower));
        sql.append(" ORDER BY ");
        for (int i = 0; i < keyColumns.size(); i++) {
            if (i > 0) sql.append(", ");
            sql.append(quote(keyColumns.get(i)));
        }
        sql.append(" OFFSET ").append(rows - 1).append(" LIMIT 1");
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.toString())) {
            if (!rs.next()) return null;
            List<String> upper = new ArrayList<>();
            for (int i = 1; i <= keyColumns.size(); i++) upper.add(rs.getString(i));
            return upper;
        }
    }

    /** Heap pages per chunk for a table without a key, so a chunk holds about {@code rows} rows. */
    long pagesPerChunk(int rows) {
        if (pages <= 0) return 1;
        if (estimatedRows <= 0) return Math.max(1, rows / 60); // never analyzed: assume ~60 rows per 8 KiB page
        double perPage = Math.max(1.0, (double) estimatedRows / pages);
        return Math.max(1, (long) (rows / perPage));
    }

    private String keyTuple() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < keyColumns.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(quote(keyColumns.get(i)));
        }
        return sb.append(")").toString();
    }

    private String literalTuple(List<String> values) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append("CAST(").append(literal(values.get(i))).append(" AS ").append(keyTypes.get(i)).append(")");
        }
        return sb.append(")").toString();
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** A string literal; {@code E''} so the text means the same whatever standard_conforming_strings says. */
    static String literal(String value) {
        return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
