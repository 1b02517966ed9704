package io.tideline.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for integration tests, with {@code wal_level=logical}.
 *
 * <p>Normally a private cluster: initdb into a temp dir, trust authentication on 127.0.0.1, a free port,
 * stopped and deleted on {@link #close()} or JVM exit. When {@code TIDELINE_TEST_PG_URL} is set, that server
 * is used instead and stop/start are unsupported. Tests isolate from each other with {@link #createDatabase}.
 */
public final class PostgresCluster implements AutoCloseable {

    private static final Set<PostgresCluster> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final PerJvm<PostgresCluster> SHARED = new PerJvm<>(() -> create(true));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(PostgresCluster::destroy),
                "tideline-postgres-cleanup"));
    }

    private final PostgresServer server;      // null when external
    private final PostgresUrl external;       // null when local
    private final boolean isShared;
    private volatile boolean closed;

    private PostgresCluster(PostgresServer server, PostgresUrl external, boolean isShared) {
        this.server = server;
        this.external = external;
        this.isShared = isShared;
    }

    /** One cluster per JVM (test fork), started on first use, stopped by a shutdown hook. */
    public static PostgresCluster shared() {
        return SHARED.get();
    }

    /** A new private cluster (for fault tests that stop/restart the server). */
    public static PostgresCluster startNew() {
        return create(false);
    }

    /** A new private cluster from the given bin directory (to prove a particular set of binaries works). */
    static PostgresCluster startNew(java.nio.file.Path bin) {
        PostgresCluster cluster = new PostgresCluster(PostgresServer.initAndStart(bin), null, false);
        LIVE.add(cluster);
        return cluster;
    }

    private static PostgresCluster create(boolean isShared) {
        String url = System.getenv(PostgresUrl.ENV);
        if (url != null && !url.isBlank()) {
            return new PostgresCluster(null, PostgresUrl.parse(url), isShared);
        }
        PostgresCluster cluster = new PostgresCluster(PostgresServer.initAndStart(PostgresBinaries.find()), null, isShared);
        LIVE.add(cluster);
        return cluster;
    }

    public String host() {
        return external != null ? external.host() : "127.0.0.1";
    }

    public int port() {
        return external != null ? external.port() : server.port();
    }

    public String user() {
        return external != null ? external.user() : "postgres";
    }

    /** The password; "" for a private cluster (trust authentication). */
    public String password() {
        return external != null ? external.password() : "";
    }

    /** The default database: "postgres" for a private cluster, the URL's database for an external one. */
    public String database() {
        return external != null ? external.database() : "postgres";
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}; credentials are not in the URL, use user()/password(). */
    public String jdbcUrl() {
        return jdbcUrl(database());
    }

    public String jdbcUrl(String database) {
        return external != null ? external.jdbcUrl(database) : "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** A new connection to {@link #database()} with this cluster's credentials. */
    public Connection connect() throws SQLException {
        return connect(database());
    }

    /** A new connection to the given database with this cluster's credentials. */
    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user());
        props.setProperty("password", password());
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /** Runs the statements in order on {@link #database()} with auto-commit. */
    public void execute(String... sql) {
        executeIn(database(), sql);
    }

    /** Runs the statements in order on the given database with auto-commit. */
    public void executeIn(String database, String... sql) {
        String current = null;
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            for (String s : sql) {
                current = s;
                statement.execute(s);
            }
        } catch (SQLException e) {
            String what = current == null ? "connect to database " + database : "execute SQL [" + current + "]";
            throw new RuntimeException("Cannot " + what + " on " + host() + ":" + port() + ": " + e.getMessage()
                    + ". Check the statement and that the server is running.", e);
        }
    }

    /**
     * Creates a fresh database named {@code <prefix>_<n>_<random>} (lower case, only [a-z0-9_]) and returns its
     * name. Databases are dropped with the cluster; on an external server they are left behind.
     */
    public String createDatabase(String prefix) {
        String clean = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (clean.isEmpty() || !Character.isLetter(clean.charAt(0))) {
            clean = "t_" + clean;
        }
        if (clean.length() > 40) {
            clean = clean.substring(0, 40);
        }
        String name = clean + "_" + DATABASES.incrementAndGet() + "_"
                + Long.toString(System.nanoTime() & 0xffffffL, 36);
        execute("CREATE DATABASE " + name);
        return name;
    }

    /** {@code pg_ctl stop -m immediate} (crash-like) when immediate, else {@code -m fast}. */
    public void stop(boolean immediate) {
        local("stop").stop(immediate);
    }

    /** Starts the server again with the same port and data directory. */
    public void start() {
        local("start").start();
    }

    public void restart(boolean immediate) {
        stop(immediate);
        start();
    }

    /** Whether the postmaster of this private cluster is alive (always true for an external server). */
    public boolean isRunning() {
        return external != null || (!closed && server.isRunning());
    }

    /** True when TIDELINE_TEST_PG_URL is used; then stop/start throw UnsupportedOperationException. */
    public boolean isExternal() {
        return external != null;
    }

    /**
     * Stops the server and deletes its files. On the {@link #shared()} cluster this does nothing: other test
     * classes in the same JVM still use it, and the shutdown hook removes it.
     */
    @Override
    public void close() {
        if (!isShared) {
            destroy();
        }
    }

    private void destroy() {
        if (closed) {
            return;
        }
        closed = true;
        LIVE.remove(this);
        if (server != null) {
            server.destroy();
        }
    }

    private PostgresServer local(String operation) {
        if (external != null) {
            throw new UnsupportedOperationException("Cannot " + operation + " PostgreSQL: the tests use the external "
                    + "server from TIDELINE_TEST_PG_URL. Unset TIDELINE_TEST_PG_URL to run fault tests on a private "
                    + "cluster.");
        }
        if (closed) {
            throw new IllegalStateException("Cannot " + operation + " PostgreSQL: the cluster was closed. Use "
                    + "PostgresCluster.startNew() for a new one.");
        }
        return server;
    }

    @Override
    public String toString() {
        return "PostgresCluster[" + host() + ":" + port() + (isExternal() ? ", external" : "")
                + (isShared ? ", shared" : "") + "]";
    }
}
