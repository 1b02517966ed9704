package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM and SIGINT stop a running daemon cleanly: pipeline stopped, exit code 0 (not the JVM's 143/130). */
class RunSignalIT {
    @TempDir
    Path dir;

    private Process start() throws Exception {
        Path cfg = dir.resolve("run.properties");
        Files.writeString(cfg, String.join("\n",
                "tideline.source.database.hostname=127.0.0.1",
                "tideline.source.database.user=repl",
                "tideline.source.database.dbname=shop",
                "tideline.sink.kafka.enabled=true",
                "tideline.sink.kafka.bootstrap.servers=127.0.0.1:1",
                "tideline.http.port=0"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                BlockingPipelineMain.class.getName(), "run", "--config", cfg.toString()))
                .redirectErrorStream(true).start();
    }

    /** Reads the child's output until a line contains {@code marker}; returns everything read. */
    private static String readUntil(BufferedReader in, String marker) throws Exception {
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains(marker)) {
                return seen.toString();
            }
        }
        throw new AssertionError("the daemon ended before printing '" + marker + "':\n" + seen);
    }

    private void stopsCleanlyOn(String signal) throws Exception {
        Process p = start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            readUntil(in, "PIPELINE RUNNING");
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
            String rest = readUntil(in, "PIPELINE STOPPED");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the daemon did not exit after SIG" + signal);
            assertEquals(0, p.exitValue(), rest);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void sigtermStopsThePipelineAndExitsWith0() throws Exception {
        stopsCleanlyOn("TERM");
    }

    @Test
    void sigintStopsThePipelineAndExitsWith0() throws Exception {
        stopsCleanlyOn("INT");
    }
}
