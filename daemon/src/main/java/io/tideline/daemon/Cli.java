package io.tideline.daemon;

import io.tideline.config.ConfigException;
import picocli.CommandLine;

/** Builds the picocli command line with Tideline's exit-code mapping. */
public final class Cli {
    private Cli() {
    }

    /** @param provider how {@code run} obtains its pipeline */
    public static CommandLine create(PipelineProvider provider) {
        CommandLine cli = new CommandLine(new TidelineCommand(), new Factory(provider));
        cli.setExitCodeExceptionMapper(Cli::exitCodeOf);
        cli.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            cmd.getErr().println(messageOf(e));
            return exitCodeOf(e);
        });
        return cli;
    }

    static int exitCodeOf(Throwable e) {
        if (e instanceof ConfigException || e instanceof EnvironmentException
                || e instanceof CommandLine.ParameterException) {
            return ExitCodes.BAD_CONFIGURATION;
        }
        return ExitCodes.RUNTIME_FAILURE;
    }

    private static String messageOf(Throwable e) {
        if (e instanceof ConfigException || e instanceof EnvironmentException) {
            return e.getMessage();
        }
        return "Cannot run tideline: " + Daemon.describe(e) + ". See the log above for details.";
    }

    /** Hands the pipeline provider to the subcommands that need it. */
    private record Factory(PipelineProvider provider) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            if (cls == RunCommand.class) {
                return cls.cast(new RunCommand(provider));
            }
            return CommandLine.defaultFactory().create(cls);
        }
    }
}
