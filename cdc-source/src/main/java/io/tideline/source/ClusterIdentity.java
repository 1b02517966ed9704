package io.tideline.source;

import io.tideline.api.SourceIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * Asks the server who it is ({@code IDENTIFY_SYSTEM} on a replication connection: needs only the REPLICATION
 * attribute) and holds it against the identity recorded in the state dir ({@value #FILE}): a state dir's positions
 * mean nothing on another cluster, so a different {@code system_identifier} stops the source before anything is read.
 */
final class ClusterIdentity {

    static final String FILE = "source-identity";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterIdentity.class);

    private ClusterIdentity() {
    }

    /** {@link #check} with connection failures reported like the source's other ones. */
    static void verify(DebeziumSourceBuilder b) {
        try {
            check(b, b.identity);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Cannot capture changes from " + b.hostname + ":" + b.port + "/" + b.database
                    + ": " + Failures.describe(e, null) + ". Check that PostgreSQL is reachable and that the user has the"
                    + " REPLICATION attribute.", e);
        }
    }

    static void check(DebeziumSourceBuilder b, SourceIdentity identity) throws SQLException, IOException {
        Properties p = ChunkedSnapshot.jdbcProperties(b);
        p.setProperty("replication", "database");
        p.setProperty("assumeMinServerVersion", "10");
        p.setProperty("preferQueryMode", "simple");
        String systemId;
        long timeline;
        try (Connection c = DriverManager.getConnection(ChunkedSnapshot.jdbcUrl(b), p);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
            rs.next();
            systemId = rs.getString("systemid");
            timeline = rs.getLong("timeline");
        }
        Path file = b.stateDir.resolve(FILE);
        String recorded = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : null;
        if (recorded != null) {
            if (!systemId.equals(SourceIdentity.systemIdOf(recorded))) {
                throw new IllegalStateException("Cannot capture from " + b.hostname + ":" + b.port + "/" + b.database
                        + ": it is a different PostgreSQL cluster (system_identifier " + systemId + ") than the one whose"
                        + " positions the state dir " + b.stateDir + " holds (" + recorded + "). Positions of two clusters"
                        + " cannot be compared. Point tideline.state.dir at a new directory for the new cluster (and its"
                        + " sinks at new topics and tables, or see tideline.sink.fence.reset.for.new.source)");
            }
            if (!recorded.equals(systemId + "/" + timeline)) {
                LOG.info("PostgreSQL cluster {} moved from timeline {} to {} (a promotion): positions stay comparable",
                        systemId, recorded, timeline);
            }
        }
        identity.set(systemId, timeline);
        if (!identity.text().equals(recorded)) {
            Files.createDirectories(b.stateDir);
            Files.writeString(file, identity.text() + "\n", StandardCharsets.UTF_8);
        }
    }
}
