package io.tideline.daemon.validate;

import static io.tideline.config.TidelineConfigDef.SOURCE_DBNAME;
import static io.tideline.config.TidelineConfigDef.SOURCE_HOSTNAME;
import static io.tideline.config.TidelineConfigDef.SOURCE_PASSWORD;
import static io.tideline.config.TidelineConfigDef.SOURCE_PORT;
import static io.tideline.config.TidelineConfigDef.SOURCE_TABLE_INCLUDE_LIST;
import static io.tideline.config.TidelineConfigDef.SOURCE_USER;

import io.tideline.config.TidelineConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Checks that the source database can be replicated as configured. */
final class PostgresChecks {
    private static final int CONNECT_TIMEOUT_SECONDS = 5;

    private final TidelineConfig cfg;
    private final String host;
    private final int port;
    private final String user;
    private final String db;
    private final String password;

    PostgresChecks(TidelineConfig cfg) {
        this.cfg = cfg;
        this.host = cfg.getString(SOURCE_HOSTNAME);
        this.port = cfg.getInt(SOURCE_PORT);
        this.user = cfg.getString(SOURCE_USER);
        this.db = cfg.getString(SOURCE_DBNAME);
        this.password = cfg.getPassword(SOURCE_PASSWORD).value();
    }

    List<Check> run() {
        List<Check> out = new ArrayList<>();
        try (Connection c = connect()) {
            out.add(Check.ok("PostgreSQL reachable at " + where() + " as user '" + user + "'"));
            out.add(walLevel(c));
            out.add(replicationPrivilege(c));
            out.addAll(tables(c));
        } catch (SQLException e) {
            out.add(Check.fail(connectFailure(e)));
        }
        return out;
    }

    private Connection connect() throws SQLException {
        return SourceConnection.open(cfg, "tideline-validate", CONNECT_TIMEOUT_SECONDS);
    }

    private String where() {
        return host + ":" + port;
    }

    private String connectFailure(SQLException e) {
        String cause = scrub(e.getMessage());
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28")) {
            return "Cannot log in to PostgreSQL at " + where() + " as user '" + user + "': " + cause + ". Check "
                    + SOURCE_USER + " and " + SOURCE_PASSWORD + ", and pg_hba.conf on the server.";
        }
        if (state.equals("3D000")) {
            return "Cannot connect to PostgreSQL at " + where() + ": database '" + db + "' does not exist. Fix "
                    + SOURCE_DBNAME + " or create the database.";
        }
        return "Cannot connect to PostgreSQL at " + where() + " within " + CONNECT_TIMEOUT_SECONDS + " s: " + cause
                + ". Check " + SOURCE_HOSTNAME + " and " + SOURCE_PORT
                + ", and that the server is running and accepts TCP connections.";
    }

    /** Drivers do not echo passwords today; this keeps it so if one ever does. */
    private String scrub(String message) {
        String m = message == null ? "no detail" : message.strip();
        if (m.endsWith(".")) {
            m = m.substring(0, m.length() - 1);
        }
        return password.isEmpty() ? m : m.replace(password, "[hidden]");
    }

    private Check walLevel(Connection c) throws SQLException {
        String level = single(c, "SHOW wal_level");
        if (!"logical".equals(level)) {
            return Check.fail("Cannot replicate: wal_level is '" + level + "' on " + where()
                    + ". Set wal_level=logical in postgresql.conf and restart PostgreSQL.");
        }
        return Check.ok("wal_level is logical on " + where());
    }

    private Check replicationPrivilege(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user")) {
            if (rs.next() && (rs.getBoolean(1) || rs.getBoolean(2))) {
                return Check.ok("user '" + user + "' may replicate (" + (rs.getBoolean(2) ? "superuser" : "REPLICATION")
                        + ")");
            }
        }
        return Check.fail("Cannot replicate: user '" + user + "' has neither REPLICATION nor SUPERUSER on " + where()
                + ". Run ALTER ROLE \"" + user + "\" WITH REPLICATION; or set " + SOURCE_USER
                + " to a user that has it.");
    }

    private List<Check> tables(Connection c) throws SQLException {
        List<Check> out = new ArrayList<>();
        List<String> include = cfg.getList(SOURCE_TABLE_INCLUDE_LIST);
        if (include.isEmpty()) {
            List<String> all = allTables(c);
            out.add(Check.ok(SOURCE_TABLE_INCLUDE_LIST + " is empty: every table is captured (" + all.size()
                    + " in database '" + db + "')"));
            for (String t : all) {
                Check check = table(c, t);
                if (check.status() != Check.Status.OK) {
                    out.add(check);
                }
            }
            return out;
        }
        for (String t : include) {
            out.add(table(c, t));
        }
        return out;
    }

    private List<String> allTables(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT n.nspname || '.' || c.relname "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
                + "AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                + "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private Check table(Connection c, String qualified) throws SQLException {
        int dot = qualified.indexOf('.');
        String schema = qualified.substring(0, dot);
        String name = qualified.substring(dot + 1);
        String sql = "SELECT c.relreplident, "
                + "EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary), "
                + "(SELECT string_agg(a.attname, ', ' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = c.oid "
                + "AND a.attnum > 0 AND NOT a.attisdropped AND a.attstorage IN ('x', 'e')) "
                + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Check.fail("Cannot replicate table '" + qualified + "': it does not exist in database '" + db
                            + "' on " + where() + ". Create it, or remove it from " + SOURCE_TABLE_INCLUDE_LIST + ".");
                }
                String identity = rs.getString(1);
                boolean hasKey = rs.getBoolean(2);
                String toastable = rs.getString(3);
                boolean full = "f".equals(identity);
                if (!hasKey) {
                    String updates = full || "i".equals(identity) ? ""
                            : " With REPLICA IDENTITY " + identityName(identity) + " and no primary key, PostgreSQL "
                                    + "rejects its UPDATEs and DELETEs once it is published: run ALTER TABLE "
                                    + qualified + " REPLICA IDENTITY FULL.";
                    return Check.warn("Table '" + qualified + "' has no primary key: it is replicated in append mode "
                            + "to Iceberg and keyed by the whole row in Kafka. Add a primary key for upserts and per-key "
                            + "ordering." + updates);
                }
                if (toastable != null && !full) {
                    return Check.warn("Table '" + qualified + "' exists and has a primary key, but its REPLICA IDENTITY "
                            + "is " + identityName(identity) + ": an UPDATE that leaves a TOASTed value of (" + toastable
                            + ") unchanged sends it as 'unchanged', without the value. Run ALTER TABLE " + qualified
                            + " REPLICA IDENTITY FULL if sinks must always receive the full row.");
                }
                return Check.ok("Table '" + qualified + "' exists and has a primary key");
            }
        }
    }

    private static String identityName(String code) {
        return switch (code == null ? "" : code) {
            case "f" -> "FULL";
            case "i" -> "USING INDEX";
            case "n" -> "NOTHING";
            default -> "DEFAULT";
        };
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
