package io.tideline.demo;

import io.tideline.testkit.PostgresCluster;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The demo's PostgreSQL: a private cluster started from the machine's binaries (or the ones Maven Central serves),
 * or an existing server given as {@code postgresql://user:password@host:port/database}. On an existing server the
 * demo only touches its own schema, slot and publication, and removes the slot and publication when it stops.
 */
final class DemoDatabase implements AutoCloseable {

    static final String SLOT = "tideline_demo";

    private final PostgresCluster cluster;   // null for an existing server
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String database;

    private DemoDatabase(PostgresCluster cluster, String host, int port, String user, String password, String database) {
        this.cluster = cluster;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
    }

    static DemoDatabase embedded() {
        PostgresCluster pg = PostgresCluster.startNew();
        pg.execute("CREATE DATABASE demo");
        return new DemoDatabase(pg, pg.host(), pg.port(), pg.user(), pg.password(), "demo");
    }

    /** An existing server; the URL's form is {@code postgresql://user[:password]@host[:port]/database}. */
    static DemoDatabase existing(String url) {
        URI uri;
        try {
            uri = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot use --pg-url " + url + ": " + e.getMessage()
                    + ". Expected postgresql://user:password@host:port/database.");
        }
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null || path.isEmpty() || uri.getUserInfo() == null) {
            throw new IllegalArgumentException("Cannot use --pg-url " + url
                    + ": expected postgresql://user:password@host:port/database (scheme, user, host and database).");
        }
        String[] credentials = uri.getRawUserInfo().split(":", 2);
        return new DemoDatabase(null, uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), decode(credentials[0]),
                credentials.length > 1 ? decode(credentials[1]) : "", path);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    String database() {
        return database;
    }

    /** Where the demo runs, for the first lines it prints (never the password). */
    String describe() {
        return (cluster == null ? "existing PostgreSQL " : "embedded PostgreSQL ") + user + "@" + host + ":" + port
                + "/" + database;
    }

    Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, props);
    }

    /** The slot and publication the demo's daemon created, so a stopped demo leaves no WAL held back. */
    void dropReplicationObjects() {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + SLOT
                    + "' AND NOT active");
            s.execute("DROP PUBLICATION IF EXISTS " + SLOT);
        } catch (SQLException e) {
            System.err.println("demo: cannot drop the slot " + SLOT + " on " + describe() + ": " + e.getMessage()
                    + ". Drop it yourself: SELECT pg_drop_replication_slot('" + SLOT + "');");
        }
    }

    @Override
    public void close() {
        if (cluster != null) {
            cluster.close();
        } else {
            dropReplicationObjects();
        }
    }
}
