package io.tideline.daemon;

import io.tideline.config.ConfigType;
import io.tideline.config.InvalidValueException;
import io.tideline.config.TidelineConfig;
import io.tideline.daemon.verify.Verification;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tideline verify --config FILE [--timeout D] [--examples N]}: the replay check after a crash, an outage or a deploy. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Waits until every sink holds PostgreSQL's current position, then compares each captured table in",
                "PostgreSQL with its Kafka topic (last record per key; every partition in position order, nothing twice)",
                "and its Iceberg table (upsert: same keys and values; append: no position twice). Read-only; safe while",
                "the daemon runs (stop the load first, or verify waits for it). Exit 0: all equal, 1: a difference or no",
                "catch-up within --timeout, 2: bad configuration."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (.properties).")
    Path config;

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "How long to wait for the sinks to catch up (ISO-8601 like PT5M, or 90s, 5m). Default: two epochs,"
                    + " two heartbeats and 30 s.")
    String timeout;

    @Option(names = "--examples", defaultValue = "5", paramLabel = "N", description = "Mismatches shown per table and sink (default: ${DEFAULT-VALUE}).")
    int examples;

    @Override
    public Integer call() throws Exception {
        TidelineConfig cfg = TidelineConfig.load(config);
        Duration wait = timeout == null ? Verification.defaultTimeout(cfg) : parse(timeout);
        PrintWriter out = spec.commandLine().getOut();
        try {
            return new Verification(cfg, wait, examples, out).run() ? ExitCodes.OK : ExitCodes.RUNTIME_FAILURE;
        } catch (Verification.CatchUpTimeout | IllegalStateException e) {
            out.println("RESULT: cannot verify: " + e.getMessage());
            out.flush();
            return ExitCodes.RUNTIME_FAILURE;
        }
    }

    private Duration parse(String text) {
        try {
            return ConfigType.duration(text);
        } catch (InvalidValueException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Invalid value for --timeout: '" + text + "': " + e.why() + ".");
        }
    }
}
