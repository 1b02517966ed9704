package io.tideline.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL 15 with {@code wal_level=logical} in a Testcontainers container: the fallback when this machine has no
 * PostgreSQL binaries but a Docker engine answers. Kept in its own class so Testcontainers is only loaded then.
 */
final class DockerPostgres {

    private final PostgreSQLContainer container;

    private DockerPostgres(PostgreSQLContainer container) {
        this.container = container;
    }

    static boolean engineAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    static DockerPostgres start() {
        PostgreSQLContainer container = new PostgreSQLContainer("postgres:15")
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=16",
                        "-c", "max_wal_senders=16", "-c", "max_connections=200");
        container.start();
        return new DockerPostgres(container);
    }

    PostgresUrl url() {
        return new PostgresUrl(container.getHost(), container.getMappedPort(5432), container.getDatabaseName(),
                container.getUsername(), container.getPassword(), "");
    }

    void stop() {
        container.stop();
    }
}
