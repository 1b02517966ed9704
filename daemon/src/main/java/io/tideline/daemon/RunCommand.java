package io.tideline.daemon;

import io.tideline.config.ConfigException;
import io.tideline.config.TidelineConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the replication daemon until SIGTERM or SIGINT.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (.properties).")
    Path config;

    private final PipelineProvider provider;

    RunCommand(PipelineProvider provider) {
        this.provider = provider;
    }

    @Override
    public Integer call() throws Exception {
        TidelineConfig cfg = TidelineConfig.load(config);
        Logging.configure(cfg);
        LOG.info("Starting tideline {}: {}", VersionProvider.version(), StartLine.of(cfg));
        cfg.originals().forEach((k, v) -> LOG.debug("  {} = {}", k, v));
        Daemon daemon = new Daemon(cfg, provider);
        // Signals first: a SIGTERM that lands while the pipeline starts must still end in an orderly stop and exit 0.
        try (StopSignals signals = StopSignals.install(daemon::shutdown)) {
            daemon.start();
            int code = daemon.awaitExit();
            Throwable failure = daemon.failure();
            if (code != ExitCodes.OK && failure != null) {
                // A factory that finds a bad value (say, a transform it cannot parse) or a missing resource
                // reports it as such: exit 2 with its message, like any other configuration error.
                if (failure instanceof ConfigException || failure instanceof EnvironmentException) {
                    throw (RuntimeException) failure;
                }
                throw new PipelineFailedException(failure);
            }
            LOG.info("Tideline stopped (exit code {})", code);
            return code;
        }
    }

    /** Carries the pipeline's failure to the CLI's handler, which prints it and exits 1. */
    static final class PipelineFailedException extends RuntimeException {
        PipelineFailedException(Throwable cause) {
            super("the pipeline failed: " + Daemon.describe(cause), cause);
        }
    }
}
