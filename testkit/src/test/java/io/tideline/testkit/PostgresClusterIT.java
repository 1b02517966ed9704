package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresClusterIT {

    private static PostgresCluster pg;

    @BeforeAll
    static void startCluster() {
        pg = PostgresCluster.startNew();
    }

    @AfterAll
    static void stopCluster() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void walLevelIsLogicalSoDebeziumCanDecode() throws SQLException {
        assertEquals("logical", queryOne(pg.database(), "SHOW wal_level"));
    }

    @Test
    void logicalSlotWithPgoutputCanBeCreatedInAFreshDatabase() throws SQLException {
        String db = pg.createDatabase("slot");
        pg.executeIn(db, "CREATE TABLE t (id int primary key)", "CREATE PUBLICATION p FOR TABLE t");
        assertEquals("slot_a", queryOne(db,
                "SELECT slot_name FROM pg_create_logical_replication_slot('slot_a', 'pgoutput')"));
        assertEquals("pgoutput", queryOne(db, "SELECT plugin FROM pg_replication_slots WHERE slot_name = 'slot_a'"));
        pg.executeIn(db, "SELECT pg_drop_replication_slot('slot_a')");
    }

    @Test
    void createDatabaseReturnsDistinctUsableNames() throws SQLException {
        String a = pg.createDatabase("Orders-Test");
        String b = pg.createDatabase("Orders-Test");
        assertNotEquals(a, b);
        assertTrue(a.startsWith("orders_test_"), a);
        assertEquals(a, queryOne(a, "SELECT current_database()"));
    }

    @Test
    void immediateStopThenStartKeepsCommittedDataOnTheSamePort() throws SQLException {
        org.junit.jupiter.api.Assumptions.assumeFalse(pg.isExternal(),
                "skipped: TIDELINE_TEST_PG_URL points at an external server, which this test would stop");
        String db = pg.createDatabase("crash");
        pg.executeIn(db, "CREATE TABLE t (id int primary key)", "INSERT INTO t VALUES (1), (2)");
        int port = pg.port();

        pg.stop(true);
        assertFalse(pg.isRunning());
        assertThrows(SQLException.class, () -> pg.connect(db).close());
        pg.start();

        assertEquals(port, pg.port());
        assertEquals("2", queryOne(db, "SELECT count(*) FROM t"));
    }

    @Test
    void fastRestartKeepsDataAndReplicationSlots() throws SQLException {
        org.junit.jupiter.api.Assumptions.assumeFalse(pg.isExternal(),
                "skipped: TIDELINE_TEST_PG_URL points at an external server, which this test would stop");
        String db = pg.createDatabase("restart");
        pg.executeIn(db, "CREATE TABLE t (v text)", "INSERT INTO t VALUES ('kept')",
                "SELECT pg_create_logical_replication_slot('slot_r', 'pgoutput')");
        String pidBefore = queryOne(db, "SELECT pg_postmaster_start_time()::text");

        pg.restart(false);

        assertNotEquals(pidBefore, queryOne(db, "SELECT pg_postmaster_start_time()::text"));
        assertEquals("kept", queryOne(db, "SELECT v FROM t"));
        assertEquals("1", queryOne(db, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slot_r'"));
        pg.executeIn(db, "SELECT pg_drop_replication_slot('slot_r')");
    }

    @Test
    void executeNamesTheFailingStatement() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> pg.execute("SELECT * FROM no_such_table"));
        assertTrue(e.getMessage().contains("SELECT * FROM no_such_table"), e.getMessage());
    }

    @Test
    void closeStopsThePostmasterAndDeletesTheDataDirectory() throws Exception {
        PostgresCluster other = PostgresCluster.startNew();
        Path dataDir = dataDirOf(other);
        long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        assertTrue(ProcessHandle.of(postmaster).isPresent());

        other.close();

        assertFalse(Files.exists(dataDir.getParent()), "cluster dir still there: " + dataDir.getParent());
        assertFalse(Processes.isRunning(postmaster), "postmaster " + postmaster + " still alive");
    }

    @Test
    void sharedIsOneClusterPerJvmAndSurvivesClose() throws SQLException {
        PostgresCluster shared = PostgresCluster.shared();
        shared.close();
        assertEquals(shared, PostgresCluster.shared());
        assertEquals("1", queryOneOn(shared, shared.database(), "SELECT 1"));
    }

    private static Path dataDirOf(PostgresCluster cluster) throws SQLException {
        return Path.of(queryOneOn(cluster, cluster.database(), "SHOW data_directory"));
    }

    private static String queryOne(String db, String sql) throws SQLException {
        return queryOneOn(pg, db, sql);
    }

    private static String queryOneOn(PostgresCluster cluster, String db, String sql) throws SQLException {
        try (Connection c = cluster.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), "no row for " + sql);
            return rs.getString(1);
        }
    }
}
