package io.tideline.demo;

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
        // The terminal gets one status line every few seconds; the daemon's, Debezium's and Iceberg's logs go to a
        // file. slf4j-simple reads this once, when the first logger is created, so it is set before anything logs.
        DemoCommand command = cli.getCommand();
        if (!parsed.isUsageHelpRequested() && !parsed.isVersionHelpRequested()) {
            Path log = command.dir().toAbsolutePath().resolve("tideline.log");
            command.prepareDir();
            System.setProperty("org.slf4j.simpleLogger.logFile", log.toString());
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
            System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        }
        System.exit(cli.execute(args));
    }
}
