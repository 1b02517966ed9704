package io.tideline.bench.kafka;

import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The one PostgreSQL and the one Kafka broker every path is measured against: private ones started with the
 * testkit (stopped on close and by a shutdown hook), or external ones given on the command line.
 */
final class BenchServices implements AutoCloseable {
    final String host;
    final int port;
    final String user;
    final String password;
    final String database;
    final String bootstrap;
    private final PostgresCluster cluster;
    private final KafkaBroker broker;

    private BenchServices(String host, int port, String user, String password, String database, String bootstrap,
                          PostgresCluster cluster, KafkaBroker broker) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password == null ? "" : password;
        this.database = database;
        this.bootstrap = bootstrap;
        this.cluster = cluster;
        this.broker = broker;
    }

    static BenchServices start(BenchOptions o) {
        PostgresCluster cluster = null;
        KafkaBroker broker = null;
        try {
            String host;
            int port;
            String user;
            String password;
            String db;
            if (o.pgUrl != null) {
                Properties p = org.postgresql.Driver.parseURL(o.pgUrl, null);
                if (p == null) {
                    throw new IllegalArgumentException("Cannot use --pg-url: '" + o.pgUrl.replaceAll("password=[^&]*", "password=***")
                            + "' is not a PostgreSQL JDBC URL. Pass jdbc:postgresql://host:port/db?user=u&password=p.");
                }
                host = p.getProperty("PGHOST", "localhost").split(",")[0];
                port = Integer.parseInt(p.getProperty("PGPORT", "5432").split(",")[0]);
                db = p.getProperty("PGDBNAME", "postgres");
                user = p.getProperty("user", System.getProperty("user.name"));
                password = p.getProperty("password", "");
            } else {
                cluster = PostgresCluster.startNew();
                host = cluster.host();
                port = cluster.port();
                user = cluster.user();
                password = cluster.password();
                db = cluster.database();
            }
            String bootstrap;
            if (o.bootstrap != null) {
                bootstrap = o.bootstrap;
            } else {
                broker = KafkaBroker.startNew();
                bootstrap = broker.bootstrapServers();
            }
            return new BenchServices(host, port, user, password, db, bootstrap, cluster, broker);
        } catch (RuntimeException e) {
            closeQuietly(broker);
            closeQuietly(cluster);
            throw e;
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(), p);
    }

    @Override
    public void close() {
        closeQuietly(broker);
        closeQuietly(cluster);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("Cannot stop " + c.getClass().getSimpleName() + ": " + e + ". Check for a stray process.");
        }
    }
}
