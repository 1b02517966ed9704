package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.FreePorts;
import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tideline validate} against a real PostgreSQL (and a Hadoop Iceberg catalog on disk): exit 2 naming the
 * property or table for each kind of bad file or bad world, exit 0 for a good one.
 */
class ValidateCommandIT {
    private static PostgresCluster pg;
    private static String db;

    @TempDir
    static Path dir;

    @BeforeAll
    static void database() {
        pg = PostgresCluster.shared();
        db = pg.createDatabase("validate");
        pg.executeIn(db,
                "CREATE TABLE public.orders (id int PRIMARY KEY, amount numeric)",
                "CREATE TABLE public.notes (id int PRIMARY KEY, body text)",
                "CREATE TABLE public.events (payload text)",
                "CREATE TABLE public.audit (id int PRIMARY KEY, body text)",
                "ALTER TABLE public.audit REPLICA IDENTITY FULL",
                "CREATE ROLE reader LOGIN");
    }

    /** A good file for the test database with the Iceberg sink on a local Hadoop warehouse. */
    static Map<String, String> good() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tideline.source.database.hostname", pg.host());
        m.put("tideline.source.database.port", Integer.toString(pg.port()));
        m.put("tideline.source.database.user", pg.user());
        m.put("tideline.source.database.password", "${TIDELINE_IT_UNSET_PASSWORD:" + pg.password() + "}");
        m.put("tideline.source.database.dbname", db);
        m.put("tideline.source.table.include.list", "public.orders");
        m.put("tideline.sink.iceberg.enabled", "true");
        m.put("tideline.sink.iceberg.catalog.type", "hadoop");
        m.put("tideline.sink.iceberg.catalog.warehouse", dir.resolve("warehouse").toUri().toString());
        return m;
    }

    static Path write(Map<String, String> props) throws Exception {
        List<String> lines = new ArrayList<>();
        props.forEach((k, v) -> {
            if (v != null) {
                lines.add(k + "=" + v);
            }
        });
        Path f = Files.createTempFile(dir, "validate", ".properties");
        Files.write(f, lines);
        return f;
    }

    private static CliRun validate(Map<String, String> props) throws Exception {
        return CliRun.of("validate", "--config", write(props).toString());
    }

    private static Map<String, String> good(String... kv) {
        Map<String, String> m = good();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void assertFailsWith2(CliRun run, String... expected) {
        assertEquals(2, run.exitCode(), run.all());
        for (String e : expected) {
            assertTrue(run.all().contains(e), "expected '" + e + "' in:\n" + run.all());
        }
    }

    @Test
    void goodFileExitsWith0AndPrintsOneOkLinePerCheck() throws Exception {
        CliRun run = validate(good());
        assertEquals(0, run.exitCode(), run.all());
        String out = run.out();
        assertTrue(out.contains("ok    PostgreSQL reachable at " + pg.host() + ":" + pg.port()), out);
        assertTrue(out.contains("ok    wal_level is logical"), out);
        assertTrue(out.contains("ok    user '" + pg.user() + "' may replicate"), out);
        assertTrue(out.contains("ok    Table 'public.orders' exists and has a primary key"), out);
        assertTrue(out.contains("ok    Iceberg catalog reachable (type=hadoop"), out);
        assertFalse(out.contains("FAIL"), out);
    }

    @Test
    void goodFileWithKafkaAndIcebergExitsWith0() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop()) {
            Map<String, String> props = good("tideline.sink.kafka.enabled", "true",
                    "tideline.sink.kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "tideline.sink.kafka.producer.linger.ms", "0");
            props.keySet().removeIf(k -> k.startsWith("tideline.sink.iceberg.catalog."));
            warehouse.catalogProperties().forEach((k, v) -> props.put("tideline.sink.iceberg.catalog." + k, v));
            CliRun run = validate(props);
            assertEquals(0, run.exitCode(), run.all());
            assertTrue(run.out().contains("ok    Kafka reachable at " + kafka.bootstrapServers() + " (cluster "),
                    run.out());
            assertTrue(run.out().contains("ok    Iceberg catalog reachable (type=hadoop"), run.out());
        }
    }

    @Test
    void jdbcIcebergCatalogOnPostgresIsReachable() throws Exception {
        try (IcebergWarehouse warehouse = IcebergWarehouse.jdbc(pg)) {
            Map<String, String> props = good();
            props.keySet().removeIf(k -> k.startsWith("tideline.sink.iceberg.catalog."));
            warehouse.catalogProperties().forEach((k, v) -> props.put("tideline.sink.iceberg.catalog." + k, v));
            CliRun run = validate(props);
            assertEquals(0, run.exitCode(), run.all());
            assertTrue(run.out().contains("ok    Iceberg catalog reachable (type=jdbc"), run.out());
        }
    }

    @Test
    void unreachableKafkaExitsWith2NamingTheProperty() throws Exception {
        int closed = FreePorts.next();
        assertFailsWith2(validate(good("tideline.sink.kafka.enabled", "true",
                "tideline.sink.kafka.bootstrap.servers", "127.0.0.1:" + closed)),
                "FAIL  Cannot reach Kafka at 127.0.0.1:" + closed, "tideline.sink.kafka.bootstrap.servers");
    }

    @Test
    void misspeltKeyExitsWith2NamingItAndTheLikelyKey() throws Exception {
        Map<String, String> props = good();
        props.put("tideline.source.databse.dbname", props.remove("tideline.source.database.dbname"));
        assertFailsWith2(validate(props), "'tideline.source.databse.dbname' is not a known property",
                "Did you mean 'tideline.source.database.dbname'?");
    }

    @Test
    void missingRequiredKeyExitsWith2NamingIt() throws Exception {
        assertFailsWith2(validate(good("tideline.source.database.user", null)),
                "property 'tideline.source.database.user' is required");
    }

    @Test
    void nonNumericPortExitsWith2NamingIt() throws Exception {
        assertFailsWith2(validate(good("tideline.source.database.port", "five-four-three-two")),
                "property 'tideline.source.database.port' has value 'five-four-three-two', which is not a port (1-65535)");
    }

    @Test
    void unreachablePostgresExitsWith2NamingHostPortAndTheProperties() throws Exception {
        int closed = FreePorts.next();
        CliRun run = validate(good("tideline.source.database.port", Integer.toString(closed)));
        assertFailsWith2(run, "FAIL  Cannot connect to PostgreSQL at " + pg.host() + ":" + closed,
                "tideline.source.database.hostname", "tideline.source.database.port");
    }

    @Test
    void missingTableExitsWith2NamingTheTable() throws Exception {
        assertFailsWith2(validate(good("tideline.source.table.include.list", "public.orders,public.no_such_table")),
                "FAIL  Cannot replicate table 'public.no_such_table': it does not exist",
                "tideline.source.table.include.list");
    }

    @Test
    void tableWithoutPrimaryKeyIsAWarningThatSaysWhatHappens() throws Exception {
        CliRun run = validate(good("tideline.source.table.include.list", "public.events"));
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("warn  Table 'public.events' has no primary key: it is replicated in append mode "
                + "to Iceberg and keyed by the whole row in Kafka"), run.out());
        assertTrue(run.out().contains("REPLICA IDENTITY FULL"), run.out());
    }

    @Test
    void toastableColumnsWithoutFullReplicaIdentityAreAWarning() throws Exception {
        CliRun run = validate(good("tideline.source.table.include.list", "public.notes,public.audit"));
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.out().contains("warn  Table 'public.notes' exists and has a primary key, but its REPLICA "
                + "IDENTITY is DEFAULT"), run.out());
        assertTrue(run.out().contains("(body)"), run.out());
        assertTrue(run.out().contains("ok    Table 'public.audit' exists and has a primary key"), run.out());
    }

    @Test
    void userWithoutReplicationExitsWith2SayingWhatToGrant() throws Exception {
        assertFailsWith2(validate(good("tideline.source.database.user", "reader")),
                "FAIL  Cannot replicate: user 'reader' has neither REPLICATION nor SUPERUSER",
                "ALTER ROLE \"reader\" WITH REPLICATION");
    }

    @Test
    void missingDatabaseExitsWith2NamingTheProperty() throws Exception {
        assertFailsWith2(validate(good("tideline.source.database.dbname", "no_such_db")),
                "database 'no_such_db' does not exist", "tideline.source.database.dbname");
    }

    @Test
    void unreachableIcebergCatalogExitsWith2() throws Exception {
        int closed = FreePorts.next();
        assertFailsWith2(validate(good("tideline.sink.iceberg.catalog.type", "jdbc",
                "tideline.sink.iceberg.catalog.uri", "jdbc:postgresql://127.0.0.1:" + closed + "/catalog",
                "tideline.sink.iceberg.catalog.jdbc.password", "catalogsecret")),
                "FAIL  Cannot reach the Iceberg catalog (type=jdbc, uri=jdbc:postgresql://127.0.0.1:" + closed);
    }

    @Test
    void walLevelReplicaExitsWith2WithTheFix() throws Exception {
        try (PostgresCluster replicaOnly = PostgresCluster.startNew()) {
            // With TIDELINE_TEST_PG_URL the "new" cluster is the user's own server: never reconfigure or restart it.
            org.junit.jupiter.api.Assumptions.assumeFalse(replicaOnly.isExternal(), "skipped: TIDELINE_TEST_PG_URL points at"
                    + " an external server, and this test would set wal_level=replica on it and restart it");
            replicaOnly.execute("ALTER SYSTEM SET wal_level = replica");
            replicaOnly.restart(false);
            CliRun run = validate(good(
                    "tideline.source.database.port", Integer.toString(replicaOnly.port()),
                    "tideline.source.database.dbname", replicaOnly.database(),
                    "tideline.source.table.include.list", ""));
            assertFailsWith2(run, "FAIL  Cannot replicate: wal_level is 'replica' on " + replicaOnly.host() + ":"
                    + replicaOnly.port() + ". Set wal_level=logical in postgresql.conf and restart PostgreSQL.");
        }
    }

    @Test
    void passwordsNeverAppearInTheOutput() throws Exception {
        CliRun run = validate(good("tideline.source.database.port", "abc",
                "tideline.sink.iceberg.catalog.jdbc.password", "catalogsecret",
                "tideline.transforms.mask.salt", "saltsecret"));
        assertEquals(2, run.exitCode());
        assertFalse(run.all().contains("catalogsecret") || run.all().contains("saltsecret"), run.all());
    }

    @Test
    void passwordsNeverAppearWhenConnectionsFail() throws Exception {
        int closed = io.tideline.testkit.FreePorts.next();
        CliRun unreachable = validate(good("tideline.source.database.port", Integer.toString(closed),
                "tideline.source.database.password", "pgsecret-unreachable",
                "tideline.sink.iceberg.enabled", "true", "tideline.sink.iceberg.catalog.type", "jdbc",
                "tideline.sink.iceberg.catalog.uri", "jdbc:postgresql://127.0.0.1:" + closed + "/cat",
                "tideline.sink.iceberg.catalog.jdbc.password", "catalogsecret-unreachable",
                "tideline.sink.iceberg.catalog.warehouse", "/tmp/unused"));
        assertEquals(2, unreachable.exitCode(), unreachable.all());
        assertFalse(unreachable.all().contains("pgsecret-unreachable") || unreachable.all().contains("catalogsecret-unreachable"),
                unreachable.all());
        CliRun wrongUser = validate(good("tideline.source.database.user", "no_such_user_x",
                "tideline.source.database.password", "pgsecret-wronguser"));
        assertEquals(2, wrongUser.exitCode(), wrongUser.all());
        assertFalse(wrongUser.all().contains("pgsecret-wronguser"), wrongUser.all());
    }
}
