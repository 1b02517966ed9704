package io.tideline.demo;

import io.tideline.daemon.Logging;
import java.nio.file.Path;
import picocli.CommandLine;

/** Entry point of {@code bin/tideline demo}. */
public final class DemoMain {
    private DemoMain() {
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new DemoCommand());
        CommandLine.ParseResult parsed;
        try {
            parsed = cli.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            cli.usage(System.err);
            System.exit(2);
            return;
        }
        // The terminal gets one status line every few seconds; the daemon's, Debezium's and Iceberg's logs go to a file.
        DemoCommand command = cli.getCommand();
        if (!parsed.isUsageHelpRequested() && !parsed.isVersionHelpRequested()) {
            Path log = command.dir().toAbsolutePath().resolve("tideline.log");
            command.prepareDir();
            Logging.toFile(log);
        }
        System.exit(cli.execute(args));
    }
}
