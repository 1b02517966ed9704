package io.tideline.daemon;

import io.tideline.config.ConfigException;
import io.tideline.config.TidelineConfig;
import io.tideline.config.TidelineConfigDef;
import io.tideline.daemon.validate.SourceConnection;
import io.tideline.idempotency.StateDirLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tideline drop-slot --config FILE --yes}: removes a deployment's footprint: the replication slot (an abandoned
 * slot keeps every byte of WAL until the disk fills), the publication, and the state dir. Refuses while the daemon
 * runs (the slot is active or the state dir is locked). The topics and tables written stay.
 */
@Command(name = "drop-slot", mixinStandardHelpOptions = true,
        description = "Drops the replication slot and publication and removes the state dir of a deployment.")
final class DropSlotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (.properties).")
    Path config;

    @Option(names = "--yes", description = "Really drop them; without it, only says what would be dropped.")
    boolean yes;

    @Override
    public Integer call() throws Exception {
        TidelineConfig cfg = TidelineConfig.load(config);
        String slot = cfg.getString(TidelineConfigDef.SOURCE_SLOT_NAME);
        Path stateDir = cfg.getPath(TidelineConfigDef.STATE_DIR).toAbsolutePath();
        String publication = io.tideline.source.Publications.nameFor(stateDir, slot,
                cfg.getString(TidelineConfigDef.SOURCE_PUBLICATION_NAME));
        PrintWriter out = spec.commandLine().getOut();
        if (!yes) {
            throw new ConfigException("--yes", "Cannot drop without --yes: this would drop replication slot '" + slot
                    + "' and publication '" + publication + "' and remove the state dir " + stateDir + ". The change"
                    + " stream from that slot cannot be resumed afterwards. Add --yes to do it.");
        }
        try (Connection c = SourceConnection.open(cfg, "tideline-drop-slot", 30)) {
            try (PreparedStatement st = c.prepareStatement("SELECT active, active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
                st.setString(1, slot);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        throw new EnvironmentException("Cannot drop replication slot '" + slot + "': it is active (walsender"
                                + " pid " + rs.getInt(2) + "), so a daemon still reads from it. Stop that daemon first.");
                    }
                }
            }
            if (Files.isDirectory(stateDir)) {
                // the daemon holds this lock while it runs
                try (StateDirLock ignored = StateDirLock.acquire(stateDir)) {
                    // free: nobody runs on this state dir
                } catch (IOException | IllegalStateException e) {
                    throw new EnvironmentException("Cannot remove state dir " + stateDir + ": " + e.getMessage()
                            + ". Stop the daemon that uses it first.");
                }
            }
            try (PreparedStatement st = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
                st.setString(1, slot);
                try (ResultSet rs = st.executeQuery()) {
                    out.println(rs.next() ? "dropped replication slot '" + slot + "'" : "no replication slot '" + slot + "'");
                }
            }
            boolean existed;
            try (PreparedStatement st = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
                st.setString(1, publication);
                try (ResultSet rs = st.executeQuery()) {
                    existed = rs.next();
                }
            }
            if (existed) {
                try (var st = c.createStatement()) {
                    st.execute("DROP PUBLICATION \"" + publication.replace("\"", "\"\"") + "\"");
                }
                out.println("dropped publication '" + publication + "'");
            } else {
                out.println("no publication '" + publication + "'");
            }
        } catch (SQLException e) {
            throw new EnvironmentException("Cannot drop the slot of " + SourceConnection.where(cfg) + ": " + e.getMessage() + ". Check the connection settings in " + config + ".");
        }
        if (Files.isDirectory(stateDir)) {
            try (Stream<Path> files = Files.walk(stateDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
            out.println("removed state dir " + stateDir);
        } else {
            out.println("no state dir " + stateDir);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
