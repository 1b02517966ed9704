package io.tideline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertNull(cfg.withPrefix(TidelineConfigDef.KAFKA_PRODUCER_PREFIX).get("linger.ms"),
                "the example keeps Tideline's linger, which flushes as soon as a writer idles");
        assertEquals("localhost:9092", cfg.getString(TidelineConfigDef.KAFKA_BOOTSTRAP_SERVERS));
        assertEquals("postgres", cfg.getString(TidelineConfigDef.SOURCE_DBNAME));
    }

    @Test
    void kafkaExampleTakesItsConnectionFromTheEnvironment() {
        Map<String, String> env = Map.of("TIDELINE_PG_HOST", "db.internal", "TIDELINE_PG_PORT", "6543",
                "TIDELINE_KAFKA_BOOTSTRAP", "k1:9092,k2:9092", "TIDELINE_TABLES", "sales.orders");
        TidelineConfig cfg = TidelineConfig.load(EXAMPLES.resolve("kafka.properties"), env);
        assertEquals("db.internal", cfg.getString(TidelineConfigDef.SOURCE_HOSTNAME));
        assertEquals(6543, cfg.getInt(TidelineConfigDef.SOURCE_PORT));
        assertEquals(java.util.List.of("k1:9092", "k2:9092"), cfg.getList(TidelineConfigDef.KAFKA_BOOTSTRAP_SERVERS));
        assertEquals(java.util.List.of("sales.orders"), cfg.getList(TidelineConfigDef.SOURCE_TABLE_INCLUDE_LIST));
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
