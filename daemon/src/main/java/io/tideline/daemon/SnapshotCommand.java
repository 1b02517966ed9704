package io.tideline.daemon;

import io.tideline.config.ConfigException;
import io.tideline.config.TidelineConfig;
import io.tideline.config.TidelineConfigDef;
import io.tideline.source.DebeziumChangeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tideline snapshot --config FILE --table schema.table ...}: asks the running daemon (within a second) or
 * its next start to read tables again, e.g. after a sink was cleaned up. Consumers then see the table's rows as
 * snapshot ({@code r}) events again, in position order with the stream.
 */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Asks the running daemon (or its next start) to snapshot tables again.")
final class SnapshotCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (.properties).")
    Path config;

    @Option(names = {"-t", "--table"}, required = true, paramLabel = "SCHEMA.TABLE",
            description = "A captured table to snapshot again; repeat for more.")
    List<String> tables = new ArrayList<>();

    @Override
    public Integer call() {
        TidelineConfig cfg = TidelineConfig.load(config);
        List<String> captured = cfg.getList(TidelineConfigDef.SOURCE_TABLE_INCLUDE_LIST);
        for (String t : tables) {
            if (!t.matches("[^.\\s]+\\.[^.\\s]+")) {
                throw new ConfigException("--table", "Cannot request a snapshot of '" + t + "': expected schema.table, e.g. public.orders.");
            }
            if (!captured.isEmpty() && !captured.contains(t)) {
                throw new ConfigException(TidelineConfigDef.SOURCE_TABLE_INCLUDE_LIST, "Cannot request a snapshot of " + t + ": it is not in "
                        + TidelineConfigDef.SOURCE_TABLE_INCLUDE_LIST + " " + captured + ". Add it there instead:"
                        + " a table added to the list is snapshotted on the next start.");
            }
        }
        Path stateDir = cfg.getPath(TidelineConfigDef.STATE_DIR).toAbsolutePath();
        if (!Files.isDirectory(stateDir)) {
            throw new EnvironmentException("Cannot request a snapshot: the state dir " + stateDir + " ("
                    + TidelineConfigDef.STATE_DIR + ") does not exist. Run the daemon first; its first start snapshots"
                    + " every table anyway.");
        }
        Path file = DebeziumChangeSource.requestSnapshot(stateDir, tables);
        spec.commandLine().getOut().println("Snapshot of " + String.join(", ", tables) + " requested (" + file
                + "): the running daemon starts it within a second, or the next start does.");
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
