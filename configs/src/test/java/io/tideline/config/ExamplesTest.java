package io.tideline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExamplesTest {
    private static final Path EXAMPLES = Path.of("examples");

    @Test
    void kafkaExampleLoads() {
        TidelineConfig cfg = TidelineConfig.load(EXAMPLES.resolve("kafka.properties"), Map.of());
        assertTrue(cfg.getBoolean(TidelineConfigDef.KAFKA_ENABLED));
        assertEquals("0", cfg.withPrefix(TidelineConfigDef.KAFKA_PRODUCER_PREFIX).get("linger.ms"));
    }

    @Test
    void icebergExampleLoads() {
        TidelineConfig cfg = TidelineConfig.load(EXAMPLES.resolve("iceberg.properties"), Map.of());
        assertTrue(cfg.getBoolean(TidelineConfigDef.ICEBERG_ENABLED));
        assertEquals("hadoop", cfg.withPrefix(TidelineConfigDef.ICEBERG_CATALOG_PREFIX).get("type"));
    }

    @Test
    void bothExampleLoadsWithItsEnvironment() {
        Map<String, String> env = Map.of("PGUSER", "repl", "PGDATABASE", "shop", "PGHOST", "pg.internal");
        TidelineConfig cfg = TidelineConfig.load(EXAMPLES.resolve("both.properties"), env);
        assertEquals("pg.internal", cfg.getString(TidelineConfigDef.SOURCE_HOSTNAME));
        assertEquals("jdbc:postgresql://pg.internal:5432/iceberg_catalog",
                cfg.withPrefix(TidelineConfigDef.ICEBERG_CATALOG_PREFIX).get("uri"));
        assertEquals("email", cfg.withPrefix(TidelineConfigDef.TRANSFORMS_PREFIX).get("public.customers.columns.mask"));
    }

    @Test
    void bothExampleNamesTheMissingVariable() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TidelineConfig.load(EXAMPLES.resolve("both.properties"), Map.of("PGDATABASE", "shop")));
        assertTrue(e.getMessage().contains("environment variable 'PGUSER'"), e.getMessage());
    }
}
