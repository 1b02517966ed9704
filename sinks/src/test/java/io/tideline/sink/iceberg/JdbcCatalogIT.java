package io.tideline.sink.iceberg;

import io.tideline.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** The sink contract on Iceberg's JDBC catalog stored in a real PostgreSQL, with a local warehouse directory. */
class JdbcCatalogIT extends IcebergSinkContract {

    private static Path warehouse;
    private static Map<String, String> properties;

    @BeforeAll
    static void catalog() throws Exception {
        warehouse = Files.createTempDirectory("tideline-iceberg-jdbc");
        PostgresCluster pg = PostgresCluster.shared();
        String database = pg.createDatabase("iceberg_catalog");
        properties = new HashMap<>();
        properties.put("type", "jdbc");
        properties.put("uri", pg.jdbcUrl(database));
        properties.put("jdbc.user", pg.user());
        if (pg.password() != null) properties.put("jdbc.password", pg.password());
        properties.put("warehouse", warehouse.toUri().toString());
    }

    @AfterAll
    static void removeWarehouse() throws Exception {
        try (Stream<Path> s = Files.walk(warehouse)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    protected Map<String, String> catalogProperties() {
        return properties;
    }
}
