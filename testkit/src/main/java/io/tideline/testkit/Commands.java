package io.tideline.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short-lived OS commands, optionally as the {@code postgres} OS user when the JVM runs as root. */
final class Commands {

    private Commands() {
    }

    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * The OS user the server runs as when we are root: {@code postgres} where the PostgreSQL package created it,
     * else {@code nobody} (a machine with only the binaries from Maven Central has no postgres user).
     */
    static String serverUser() {
        try {
            boolean hasPostgres = Files.readAllLines(Path.of("/etc/passwd")).stream()
                    .anyMatch(line -> line.startsWith("postgres:"));
            return hasPostgres ? "postgres" : "nobody";
        } catch (IOException e) {
            return "postgres";
        }
    }

    /** PostgreSQL refuses to run as root: prefix with runuser so initdb, pg_ctl and postgres run as another user. */
    static List<String> asPostgres(List<String> command) {
        if (!runningAsRoot()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", serverUser(), "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Runs the command to completion and returns its combined output. Output goes to a temp file rather than a
     * pipe so that a daemon started by the command (postmaster) can never keep us blocked on a read.
     */
    static String run(List<String> command, long timeoutSeconds) {
        Path out = null;
        try {
            out = Files.createTempFile("tideline-cmd-", ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("Cannot run " + String.join(" ", command) + ": no answer after "
                        + timeoutSeconds + " s. Output so far: " + read(out));
            }
            String output = read(out);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("Cannot run " + String.join(" ", command) + ": exit code "
                        + process.exitValue() + ". Output: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run " + String.join(" ", command) + ": " + e.getMessage()
                    + ". Check that the program exists and is executable.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot run " + String.join(" ", command) + ": interrupted.", e);
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temp log is harmless
                }
            }
        }
    }

    private static String read(Path out) {
        try {
            return Files.readString(out, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
        }
    }
}
