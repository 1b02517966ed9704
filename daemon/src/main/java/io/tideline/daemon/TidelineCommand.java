package io.tideline.daemon;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tideline}: replicates PostgreSQL to Kafka and Apache Iceberg, exactly once. */
@Command(name = "tideline", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Replicates PostgreSQL to Kafka and Apache Iceberg, exactly once.",
        subcommands = {RunCommand.class, ValidateCommand.class, StatusCommand.class, VerifyCommand.class, SnapshotCommand.class, DropSlotCommand.class, ConfigDocsCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:runtime failure", "2:bad configuration or bad environment (the message names the "
                + "property or table and what to do)"})
final class TidelineCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        // No subcommand: show what there is, and exit 2 as for any unusable command line.
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing command: run, validate, status, snapshot, drop-slot or config-docs.");
    }
}
