package io.tideline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a JVM like the current one (same java, same class path) with output appended to a log file. */
final class JavaChild {

    private JavaChild() {
    }

    static Process start(Path workDir, Path log, List<String> jvmOptions, String mainClass, List<String> args) {
        try {
            // An argument file keeps a long test class path off the command line. Rewritten each time: a directory
            // that outlives this JVM (KafkaBroker.openIn) may be reused by one with another class path.
            Path argFile = workDir.resolve("java-classpath.args");
            Files.writeString(argFile, "-cp \"" + absoluteClassPath().replace("\\", "\\\\") + "\"\n");
            List<String> command = new ArrayList<>();
            command.add(javaExecutable());
            command.addAll(jvmOptions);
            command.add("@" + argFile);
            command.add(mainClass);
            command.addAll(args);
            return new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start a child JVM for " + mainClass + ": " + e.getMessage()
                    + ". Check that " + javaExecutable() + " is executable.", e);
        }
    }

    /** The child runs in its own directory, so class path entries relative to ours must become absolute. */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) continue;
            boolean wildcard = entry.endsWith("*");
            String base = wildcard ? entry.substring(0, entry.length() - 1) : entry;
            String absolute = Path.of(base.isEmpty() ? "." : base).toAbsolutePath().normalize().toString();
            entries.add(wildcard ? absolute + java.io.File.separator + "*" : absolute);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
