package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The binaries from Maven Central run a cluster that logical decoding works on, even where none are installed. */
class EmbeddedPostgresBinariesIT {

    @Test
    void binariesFromTheClassPathRunALogicalDecodingCluster() throws Exception {
        Path bin = EmbeddedPostgresBinaries.bin();
        assertTrue(Files.isExecutable(bin.resolve("initdb")), bin.toString());
        assertEquals(bin, EmbeddedPostgresBinaries.bin(), "a second call reuses the unpacked copy");
        try (PostgresCluster pg = PostgresCluster.startNew(bin);
             Connection c = pg.connect();
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int primary key, v text)");
            s.execute("CREATE PUBLICATION p FOR TABLE t");
            s.execute("SELECT pg_create_logical_replication_slot('s', 'pgoutput')");
            s.execute("INSERT INTO t VALUES (1, 'x')");
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000,"
                    + " (SELECT count(*) FROM pg_logical_slot_get_binary_changes('s', NULL, NULL,"
                    + " 'proto_version', '1', 'publication_names', 'p'))")) {
                rs.next();
                assertEquals(17, rs.getInt(1), "the cluster runs the embedded 17.x binaries, not installed ones");
                assertTrue(rs.getLong(2) >= 3, "begin, insert and commit decoded by pgoutput");
            }
        }
    }
}
