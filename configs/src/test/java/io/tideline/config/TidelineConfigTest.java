package io.tideline.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TidelineConfigTest {

    private static Map<String, String> minimal() {
        Map<String, String> m = new HashMap<>();
        m.put("tideline.source.database.hostname", "db.example");
        m.put("tideline.source.database.user", "repl");
        m.put("tideline.source.database.dbname", "shop");
        m.put("tideline.sink.kafka.enabled", "true");
        m.put("tideline.sink.kafka.bootstrap.servers", "k1:9092, k2:9092");
        return m;
    }

    private static Map<String, String> with(String... kv) {
        Map<String, String> m = minimal();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private static ConfigException failure(Map<String, String> props) {
        return assertThrows(ConfigException.class, () -> TidelineConfig.from(props, Map.of(), "app.properties"));
    }

    @Test
    void appliesDocumentedDefaults() {
        TidelineConfig cfg = TidelineConfig.from(minimal(), Map.of());
        assertEquals(5432, cfg.getInt("tideline.source.database.port"));
        assertEquals("tideline", cfg.getString("tideline.source.slot.name"));
        assertNull(cfg.getString("tideline.source.publication.name"), "unset: the source takes the slot name");
        assertEquals("initial", cfg.getString("tideline.source.snapshot.mode"));
        assertEquals(Duration.ofMinutes(5), cfg.getDuration("tideline.runtime.epoch.duration"));
        assertEquals(Runtime.getRuntime().availableProcessors(), cfg.getInt("tideline.runtime.parallelism"));
        assertEquals(4096, cfg.getInt("tideline.runtime.queue.capacity"));
        assertEquals(Duration.ofSeconds(30), cfg.getDuration("tideline.runtime.shutdown.timeout"));
        assertEquals(Path.of("./tideline-state"), cfg.getPath("tideline.state.dir"));
        assertEquals("tideline", cfg.getString("tideline.sink.kafka.topic.prefix"));
        assertEquals(1, cfg.getInt("tideline.sink.kafka.topic.partitions"));
        assertTrue(cfg.getBoolean("tideline.sink.kafka.schemas.enable"));
        assertTrue(cfg.getBoolean("tideline.sink.kafka.tombstones.enable"));
        assertFalse(cfg.getBoolean("tideline.sink.iceberg.enabled"));
        assertEquals("upsert", cfg.getString("tideline.sink.iceberg.write.mode"));
        assertEquals(Duration.ofSeconds(10), cfg.getDuration("tideline.sink.iceberg.trigger.interval"));
        assertEquals(100_000, cfg.getInt("tideline.sink.iceberg.batch.max.rows"));
        assertEquals(128L * 1024 * 1024, cfg.getSize("tideline.sink.iceberg.target.file.size"));
        assertEquals(Duration.ofMinutes(10), cfg.getDuration("tideline.sink.iceberg.upkeep.interval"));
        assertEquals(Duration.ofHours(1), cfg.getDuration("tideline.sink.iceberg.upkeep.snapshot.retention"));
        assertEquals("127.0.0.1", cfg.getString("tideline.http.host"));
        assertEquals(8080, cfg.getInt("tideline.http.port"));
        assertEquals(Duration.ofMinutes(1), cfg.getDuration("tideline.metrics.log.interval"));
        assertTrue(cfg.getPassword("tideline.source.database.password").isEmpty());
        assertEquals(List.of(), cfg.getList("tideline.source.table.include.list"));
    }

    @Test
    void parsesEveryType() {
        TidelineConfig cfg = TidelineConfig.from(with(
                "tideline.source.database.port", " 6543 ",
                "tideline.runtime.epoch.duration", "250ms",
                "tideline.sink.iceberg.trigger.interval", "PT2M",
                "tideline.sink.iceberg.upkeep.interval", "2h",
                "tideline.sink.kafka.schemas.enable", "FALSE",
                "tideline.source.table.include.list", " public.a ,inventory.b,, ",
                "tideline.sink.iceberg.write.mode", "Append",
                "tideline.sink.iceberg.target.file.size", "64kb",
                "tideline.state.dir", "/var/lib/x"), Map.of());
        assertEquals(6543, cfg.getInt("tideline.source.database.port"));
        assertEquals(Duration.ofMillis(250), cfg.getDuration("tideline.runtime.epoch.duration"));
        assertEquals(Duration.ofMinutes(2), cfg.getDuration("tideline.sink.iceberg.trigger.interval"));
        assertEquals(Duration.ofHours(2), cfg.getDuration("tideline.sink.iceberg.upkeep.interval"));
        assertFalse(cfg.getBoolean("tideline.sink.kafka.schemas.enable"));
        assertEquals(List.of("public.a", "inventory.b"), cfg.getList("tideline.source.table.include.list"));
        assertEquals(List.of("k1:9092", "k2:9092"), cfg.getList("tideline.sink.kafka.bootstrap.servers"));
        assertEquals("k1:9092,k2:9092", cfg.getString("tideline.sink.kafka.bootstrap.servers"));
        assertEquals("append", cfg.getString("tideline.sink.iceberg.write.mode"));
        assertEquals(64 * 1024L, cfg.getSize("tideline.sink.iceberg.target.file.size"));
        assertEquals(Path.of("/var/lib/x"), cfg.getPath("tideline.state.dir"));
    }

    @Test
    void nonNumericPortIsRejectedWithTheDocumentedSentence() {
        ConfigException e = failure(with("tideline.source.database.port", "abc"));
        assertEquals("tideline.source.database.port", e.key());
        assertEquals("Cannot load configuration: property 'tideline.source.database.port' has value 'abc', "
                + "which is not a port (1-65535). Fix it in app.properties.", e.getMessage());
    }

    @Test
    void portOutOfRangeAndZeroAreRejectedForTheSourceButZeroIsAllowedForHttp() {
        assertEquals("tideline.source.database.port", failure(with("tideline.source.database.port", "70000")).key());
        assertEquals("tideline.source.database.port", failure(with("tideline.source.database.port", "0")).key());
        TidelineConfig cfg = TidelineConfig.from(with("tideline.http.port", "0"), Map.of());
        assertEquals(0, cfg.getInt("tideline.http.port"));
    }

    @Test
    void badValuesOfEachTypeNameTheKeyAndTheExpectedForm() {
        assertTrue(failure(with("tideline.sink.kafka.schemas.enable", "yes")).getMessage()
                .contains("which is not a boolean (true or false)"));
        assertTrue(failure(with("tideline.runtime.epoch.duration", "5 minutes")).getMessage()
                .contains("'tideline.runtime.epoch.duration' has value '5 minutes', which is not a duration"));
        assertTrue(failure(with("tideline.runtime.epoch.duration", "0s")).getMessage()
                .contains("which is not a positive duration"));
        assertTrue(failure(with("tideline.sink.iceberg.target.file.size", "big")).getMessage()
                .contains("which is not a size"));
        assertTrue(failure(with("tideline.runtime.queue.capacity", "1.5")).getMessage()
                .contains("which is not an integer"));
        assertTrue(failure(with("tideline.runtime.parallelism", "0")).getMessage().contains("which is less than 1"));
        assertTrue(failure(with("tideline.source.snapshot.mode", "always")).getMessage()
                .contains("which is not one of: initial, no_data"));
        assertTrue(failure(with("tideline.source.table.include.list", "public.a,orders")).getMessage()
                .contains("whose item 'orders' is not schema.table"));
    }

    @Test
    void producerSettingsTheKafkaFenceReliesOnCannotBeOverridden() {
        String p = "tideline.sink.kafka.producer.";
        for (String[] bad : new String[][] {{"acks", "1"}, {"acks", "0"}, {"enable.idempotence", "false"},
                {"max.in.flight.requests.per.connection", "6"}, {"max.in.flight.requests.per.connection", "many"}}) {
            ConfigException e = failure(with(p + bad[0], bad[1]));
            assertEquals(p + bad[0], e.key(), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad[1] + "'") && e.getMessage().contains("exactly-once fence"), e.getMessage());
        }
        // what the fence allows stays allowed
        TidelineConfig.from(with(p + "acks", "all", p + "enable.idempotence", "true",
                p + "max.in.flight.requests.per.connection", "5", p + "linger.ms", "5"), Map.of(), "app.properties");
        TidelineConfig.from(with(p + "acks", "-1"), Map.of(), "app.properties");
    }

    @Test
    void missingRequiredKeyIsNamed() {
        ConfigException e = failure(with("tideline.source.database.user", null));
        assertEquals("tideline.source.database.user", e.key());
        assertTrue(e.getMessage().startsWith(
                "Cannot load configuration: property 'tideline.source.database.user' is required but not set"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("Add it to app.properties."), e.getMessage());
    }

    @Test
    void collectsEveryProblemOfAFileNotJustTheFirst() {
        ConfigException e = failure(with("tideline.source.database.hostname", null,
                "tideline.source.database.port", "abc",
                "tideline.source.databse.dbname", "x"));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.keys().containsAll(List.of("tideline.source.database.hostname",
                "tideline.source.database.port", "tideline.source.databse.dbname")));
        assertEquals(3, e.getMessage().lines().count());
    }

    @Test
    void misspeltKeyIsAnErrorWithADidYouMeanHint() {
        ConfigException e = failure(with("tideline.source.database.prot", "5432"));
        assertEquals("tideline.source.database.prot", e.key());
        assertTrue(e.getMessage().contains("is not a known property. Did you mean 'tideline.source.database.port'?"),
                e.getMessage());
    }

    @Test
    void misspeltPassThroughPrefixSuggestsThePrefixedKey() {
        ConfigException e = failure(with("tideline.sink.kafka.produce.linger.ms", "0"));
        assertTrue(e.getMessage().contains("Did you mean 'tideline.sink.kafka.producer.linger.ms'?"), e.getMessage());
    }

    @Test
    void farFromAnyKeyGivesNoGuessButPointsToTheDocs() {
        ConfigException e = failure(with("tideline.completely.different.thing", "1"));
        assertFalse(e.getMessage().contains("Did you mean"), e.getMessage());
        assertTrue(e.getMessage().contains("tideline config-docs"));
    }

    @Test
    void keysOutsideTheNamespaceAreIgnoredWithAWarning() {
        TidelineConfig cfg = TidelineConfig.from(with("log.level", "debug"), Map.of());
        assertEquals(1, cfg.warnings().size());
        assertTrue(cfg.warnings().get(0).contains("'log.level'"));
    }

    @Test
    void substitutesEnvironmentVariablesWithAndWithoutDefaults() {
        TidelineConfig cfg = TidelineConfig.from(with(
                "tideline.source.database.hostname", "${PGHOST}",
                "tideline.source.database.port", "${PGPORT:5433}",
                "tideline.sink.kafka.topic.prefix", "app-${ENVIRONMENT}-${REGION:eu}",
                "tideline.source.database.password", "${PGPASSWORD}"),
                Map.of("PGHOST", "pg.internal", "ENVIRONMENT", "prod", "PGPASSWORD", "s3cret"));
        assertEquals("pg.internal", cfg.getString("tideline.source.database.hostname"));
        assertEquals(5433, cfg.getInt("tideline.source.database.port"));
        assertEquals("app-prod-eu", cfg.getString("tideline.sink.kafka.topic.prefix"));
        assertEquals("s3cret", cfg.getPassword("tideline.source.database.password").value());
    }

    @Test
    void unsetVariableWithoutDefaultNamesThePropertyAndTheVariable() {
        ConfigException e = failure(with("tideline.source.database.hostname", "${PGHOST}"));
        assertEquals("tideline.source.database.hostname", e.key());
        assertTrue(e.getMessage().contains(
                "property 'tideline.source.database.hostname' refers to environment variable 'PGHOST', which is not set"),
                e.getMessage());
    }

    @Test
    void emptyDefaultOfAVariableIsAllowed() {
        TidelineConfig cfg = TidelineConfig.from(with("tideline.source.database.password", "${NOPE:}"), Map.of());
        assertTrue(cfg.getPassword("tideline.source.database.password").isEmpty());
    }

    @Test
    void passThroughPrefixesAreStrippedAndValuesKeptVerbatim() {
        TidelineConfig cfg = TidelineConfig.from(with(
                "tideline.source.debezium.poll.interval.ms", "1",
                "tideline.source.debezium.publication.autocreate.mode", "filtered",
                "tideline.sink.kafka.producer.linger.ms", "0",
                "tideline.sink.kafka.producer.client.id", "  spaced  ",
                "tideline.sink.iceberg.catalog.type", "hadoop",
                "tideline.sink.iceberg.catalog.warehouse", "/tmp/wh"), Map.of());
        assertEquals(Map.of("poll.interval.ms", "1", "publication.autocreate.mode", "filtered"),
                cfg.withPrefix("tideline.source.debezium."));
        assertEquals(Map.of("linger.ms", "0", "client.id", "  spaced  "),
                cfg.withPrefix("tideline.sink.kafka.producer."));
        assertEquals(Map.of("type", "hadoop", "warehouse", "/tmp/wh"),
                cfg.withPrefix("tideline.sink.iceberg.catalog."));
    }

    @Test
    void transformFamilyAcceptsWellShapedNamesAndRejectsOthersWithTheShape() {
        TidelineConfig cfg = TidelineConfig.from(with(
                "tideline.transforms.public.users.columns.mask", "email",
                "tideline.transforms.public.users.filter", "status = 'active'",
                "tideline.transforms.mask.salt", "pepper"), Map.of());
        assertEquals("email", cfg.withPrefix("tideline.transforms.").get("public.users.columns.mask"));
        assertEquals("pepper", cfg.getPassword("tideline.transforms.mask.salt").value());

        ConfigException e = failure(with("tideline.transforms.public.users.columns.hide", "email"));
        assertTrue(e.getMessage().contains("Did you mean 'tideline.transforms.public.users.columns.include'?")
                || e.getMessage().contains("Did you mean 'tideline.transforms.public.users.columns.mask'?"),
                e.getMessage());
        assertTrue(e.getMessage().contains("tideline.transforms.<schema>.<table>."), e.getMessage());
    }

    @Test
    void atLeastOneSinkMustBeEnabledAndTheErrorNamesBothKeys() {
        ConfigException e = failure(with("tideline.sink.kafka.enabled", "false"));
        assertEquals("tideline.sink.kafka.enabled", e.key());
        assertTrue(e.getMessage().contains("tideline.sink.kafka.enabled=true")
                && e.getMessage().contains("tideline.sink.iceberg.enabled=true"), e.getMessage());
    }

    @Test
    void crossPropertyRulesReportAlongsideValueErrors() {
        ConfigException e = failure(with("tideline.sink.kafka.bootstrap.servers", null,
                "tideline.source.database.port", "abc"));
        assertEquals(List.of("tideline.source.database.port", "tideline.sink.kafka.bootstrap.servers"), e.keys());
        ConfigException noSink = failure(with("tideline.sink.kafka.enabled", "false",
                "tideline.sink.iceberg.enabled", "maybe"));
        assertEquals(List.of("tideline.sink.iceberg.enabled"), noSink.keys(), noSink.getMessage());
    }

    @Test
    void enabledKafkaNeedsBootstrapServers() {
        ConfigException e = failure(with("tideline.sink.kafka.bootstrap.servers", null));
        assertEquals("tideline.sink.kafka.bootstrap.servers", e.key());
    }

    @Test
    void enabledIcebergNeedsACatalogType() {
        ConfigException e = failure(with("tideline.sink.kafka.enabled", "false", "tideline.sink.iceberg.enabled", "true"));
        assertEquals("tideline.sink.iceberg.catalog.type", e.key());
    }

    @Test
    void passwordsAreMaskedInOriginalsToStringAndNeverEchoedInErrors() {
        TidelineConfig cfg = TidelineConfig.from(with(
                "tideline.source.database.password", "hunter2",
                "tideline.sink.iceberg.catalog.jdbc.password", "catpass",
                "tideline.sink.kafka.producer.sasl.jaas.config", "jaaspass"), Map.of());
        Map<String, String> shown = cfg.originals();
        assertEquals("[hidden]", shown.get("tideline.source.database.password"));
        assertEquals("[hidden]", shown.get("tideline.sink.iceberg.catalog.jdbc.password"));
        assertEquals("[hidden]", shown.get("tideline.sink.kafka.producer.sasl.jaas.config"));
        assertEquals("db.example", shown.get("tideline.source.database.hostname"));
        assertEquals("5m", shown.get("tideline.runtime.epoch.duration"));
        assertFalse(cfg.toString().contains("hunter2") || cfg.toString().contains("catpass")
                || cfg.toString().contains("jaaspass"), cfg.toString());
        assertEquals("[hidden]", cfg.getPassword("tideline.source.database.password").toString());

        ConfigException e = failure(with("tideline.source.database.password", "hunter2",
                "tideline.sink.iceberg.catalog.jdbc.password", "catpass", "tideline.source.database.port", "x"));
        assertEquals("tideline.source.database.port", e.key());
        assertFalse(e.getMessage().contains("hunter2") || e.getMessage().contains("catpass"), e.getMessage());
    }

    @Test
    void aBrokenVariableReferenceInASecretIsReportedWithoutTheSecret() {
        ConfigException e = failure(with("tideline.transforms.mask.salt", "pepper${SALT"));
        assertEquals("tideline.transforms.mask.salt", e.key());
        assertTrue(e.getMessage().contains("without a closing '}'"), e.getMessage());
        assertFalse(e.getMessage().contains("pepper"), e.getMessage());
    }

    @Test
    void accessorsRejectUndefinedKeysAndWrongTypes() {
        TidelineConfig cfg = TidelineConfig.from(minimal(), Map.of());
        assertThrows(IllegalArgumentException.class, () -> cfg.getString("tideline.nope"));
        assertThrows(IllegalArgumentException.class, () -> cfg.getInt("tideline.sink.kafka.enabled"));
    }

    @Test
    void optionalKeyWithoutValueIsNotSet() {
        TidelineConfig cfg = TidelineConfig.from(with("tideline.sink.kafka.enabled", "false",
                "tideline.sink.kafka.bootstrap.servers", null, "tideline.sink.iceberg.enabled", "true",
                "tideline.sink.iceberg.catalog.type", "hadoop"), Map.of());
        assertFalse(cfg.isSet("tideline.sink.kafka.bootstrap.servers"));
        assertEquals(List.of(), cfg.getList("tideline.sink.kafka.bootstrap.servers"));
    }

    @Test
    void loadsAPropertiesFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.properties");
        StringBuilder sb = new StringBuilder();
        with("tideline.source.database.port", "abc").forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Files.writeString(file, sb);
        ConfigException e = assertThrows(ConfigException.class, () -> TidelineConfig.load(file, Map.of()));
        assertTrue(e.getMessage().endsWith("Fix it in " + file + "."), e.getMessage());
        assertEquals(file.toString(), assertThrows(ConfigException.class,
                () -> TidelineConfig.load(file, Map.of())).getMessage().replaceAll(".*Fix it in (.*)\\.$", "$1"));
    }

    @Test
    void missingFileIsAConfigurationError(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TidelineConfig.load(dir.resolve("absent.properties"), Map.of()));
        assertTrue(e.getMessage().contains("does not exist"));
    }

    @Test
    void optionalAccessorReturnsNullForUnsetString() {
        TidelineConfig cfg = TidelineConfig.from(minimal(), Map.of());
        assertNull(cfg.withPrefix("tideline.source.debezium.").get("anything"));
    }
}
