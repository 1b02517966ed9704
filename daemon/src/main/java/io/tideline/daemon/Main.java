package io.tideline.daemon;

/** Entry point of {@code java -jar tideline.jar}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        quietUnlessRunning(args);
        System.exit(Cli.create(PipelineProvider.DEFAULT).execute(args));
    }

    /**
     * The commands that print a report (status, verify, validate, ...) are read by people and scripts: the INFO lines
     * of the clients they use (Kafka, Iceberg, Hadoop) would bury it. {@code run} sets its own from the config.
     */
    private static void quietUnlessRunning(String[] args) {
        if (args.length > 0 && !args[0].equals("run")) Logging.quiet();
    }
}
