package io.tideline.daemon;

import io.tideline.config.ConfigDocs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "config-docs", mixinStandardHelpOptions = true,
        description = "Prints the reference of every configuration property as a markdown table.")
final class ConfigDocsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(ConfigDocs.markdown());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
