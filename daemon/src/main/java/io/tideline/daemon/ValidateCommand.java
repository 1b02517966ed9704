package io.tideline.daemon;

import io.tideline.config.ConfigException;
import io.tideline.config.ConfigProblem;
import io.tideline.config.TidelineConfig;
import io.tideline.daemon.validate.Check;
import io.tideline.daemon.validate.EnvironmentValidator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Checks the configuration file and the world it describes (PostgreSQL, Kafka, Iceberg), "
                + "one line per check. Exits 2 when anything fails.")
final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Configuration (.properties).")
    Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TidelineConfig cfg;
        try {
            cfg = TidelineConfig.load(config);
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                out.println(Check.fail(p.message()).line());
            }
            out.flush();
            return ExitCodes.BAD_CONFIGURATION;
        }
        out.println(Check.ok("configuration " + config + " loaded").line());
        cfg.warnings().forEach(w -> out.println(Check.warn(w).line()));
        out.flush();
        List<Check> checks = new EnvironmentValidator(cfg).run(c -> {
            out.println(c.line());
            out.flush();
        });
        boolean failed = checks.stream().anyMatch(c -> c.status() == Check.Status.FAIL);
        return failed ? ExitCodes.BAD_CONFIGURATION : ExitCodes.OK;
    }
}
