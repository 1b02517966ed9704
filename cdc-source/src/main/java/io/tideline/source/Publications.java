package io.tideline.source;

import io.tideline.api.TableId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.TreeSet;

/**
 * Publications are owned, not shared. Debezium's {@code publication.autocreate.mode=filtered} sets a publication's
 * tables to the include list on every start, so two deployments on one publication silently take each other's tables
 * away. A deployment owns the publication it created or adopted ({@value #FILE} in its state dir) and refuses a
 * publication it does not own whose tables differ from its own. The default name is the slot's.
 */
public final class Publications {

    static final String FILE = "source-publication";
    /** The default before publications were owned; kept by state dirs that predate {@value #FILE}. */
    static final String LEGACY_DEFAULT = "tideline";

    private Publications() {
    }

    /**
     * The publication a deployment uses: the configured one, else the one its state dir owns, else {@value
     * #LEGACY_DEFAULT} for a state dir older than ownership (its slot may predate a new publication), else the slot name.
     */
    public static String nameFor(Path stateDir, String slot, String configured) {
        if (configured != null && !configured.isBlank()) return configured;
        Path owned = stateDir.resolve(FILE);
        try {
            if (Files.exists(owned)) return Files.readString(owned, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + owned + ": " + e.getMessage(), e);
        }
        if (Files.exists(stateDir.resolve(DebeziumChangeSource.OFFSET_FILE))) return LEGACY_DEFAULT;
        return slot;
    }

    /** Takes ownership of the publication, or refuses one another deployment relies on. */
    static void claim(Connection c, Path stateDir, String publication, Set<TableId> captured) throws SQLException, IOException {
        Path owned = stateDir.resolve(FILE);
        boolean ours = Files.exists(owned) && Files.readString(owned, StandardCharsets.UTF_8).strip().equals(publication);
        if (!ours) {
            Boolean allTables = null;
            try (PreparedStatement st = c.prepareStatement("SELECT puballtables FROM pg_publication WHERE pubname = ?")) {
                st.setString(1, publication);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) allTables = rs.getBoolean(1);
                }
            }
            if (allTables != null && !allTables) {
                Set<String> theirs = new TreeSet<>();
                try (PreparedStatement st = c.prepareStatement("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?")) {
                    st.setString(1, publication);
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) theirs.add(rs.getString(1) + "." + rs.getString(2));
                    }
                }
                Set<String> mine = new TreeSet<>();
                for (TableId t : captured) mine.add(t.toString());
                if (!theirs.equals(mine)) {
                    throw new IllegalStateException("Cannot use publication '" + publication + "': it publishes " + theirs
                            + " and this deployment does not own it (its state dir " + stateDir + " did not create it),"
                            + " while it captures " + mine + ". Altering it would take those tables away from whoever"
                            + " reads it. Give this deployment a publication of its own: remove"
                            + " tideline.source.publication.name (the default is the slot name) or name another one.");
                }
            }
        }
        Files.createDirectories(stateDir);
        Files.writeString(owned, publication + "\n", StandardCharsets.UTF_8);
    }
}
