package io.tideline.daemon.verify;

import io.tideline.api.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A captured table as PostgreSQL holds it now: its key columns, the columns verify compares, and every row by key
 * (a table without a key: only its row count). Rows are held in memory as text: verify is a check for tables that
 * fit, not a bulk export.
 */
record SourceTable(TableId id, List<String> keyColumns, Map<String, String> comparedTypes, List<String> notCompared,
                   Map<List<String>, Map<String, String>> rows, long keylessRows) {

    boolean hasKey() {
        return !keyColumns.isEmpty();
    }

    long rowCount() {
        return hasKey() ? rows.size() : keylessRows;
    }

    /** Reads the table in the caller's transaction (REPEATABLE READ, so all tables come from one snapshot). */
    static SourceTable read(Connection c, TableId id) throws SQLException {
        List<String> key = keyColumns(c, id);
        Map<String, String> types = new LinkedHashMap<>();
        List<String> notCompared = new ArrayList<>();
        Map<List<String>, Map<String, String>> rows = new HashMap<>();
        long keylessRows = 0;
        try (Statement s = c.createStatement()) {
            s.setFetchSize(5000);
            try (ResultSet rs = s.executeQuery("SELECT * FROM " + quote(id.schema()) + "." + quote(id.table()))) {
                var meta = rs.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    String type = meta.getColumnTypeName(i);
                    if (Canonical.COMPARED_TYPES.contains(type)) types.put(meta.getColumnName(i), type);
                    else notCompared.add(meta.getColumnName(i) + " (" + type + ")");
                }
                while (rs.next()) {
                    if (key.isEmpty()) {
                        keylessRows++;   // without a key only positions are checked: the rows need not be held
                        continue;
                    }
                    Map<String, String> row = new LinkedHashMap<>();
                    List<String> k = new ArrayList<>();
                    for (int col = 1; col <= meta.getColumnCount(); col++) {
                        String name = meta.getColumnName(col);
                        String type = types.get(name);
                        if (type != null) row.put(name, Canonical.ofJdbc(rs, col, type));
                    }
                    for (String column : key) k.add(row.getOrDefault(column, rs.getString(column)));
                    rows.put(k, row);
                }
            }
        }
        return new SourceTable(id, key, types, notCompared, rows, keylessRows);
    }

    private static List<String> keyColumns(Connection c, TableId id) throws SQLException {
        List<String> key = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                + " WHERE i.indisprimary AND i.indrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass"
                + " ORDER BY array_position(i.indkey, a.attnum)")) {
            ps.setString(1, id.schema());
            ps.setString(2, id.table());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) key.add(rs.getString(1));
            }
        }
        return key;
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
