package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Assumptions;
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

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String EOF = "\u0000eof";

    /** The child's output lines, read on a thread of their own so that every wait on them has a deadline. */
    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) q.add(line);
            } catch (Exception ignored) {
                // the stream closes when the child is destroyed
            } finally {
                q.add(EOF);
            }
        }, "run-signal-output");
        t.setDaemon(true);
        t.start();
        return q;
    }

    /** Reads until a line contains {@code marker}, failing after {@link #WAIT}; returns everything read. */
    private static String readUntil(BlockingQueue<String> lines, String marker) throws Exception {
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) throw new AssertionError("the daemon did not print '" + marker + "' within " + WAIT + ":\n" + seen);
            if (line.equals(EOF)) throw new AssertionError("the daemon ended before printing '" + marker + "':\n" + seen);
            seen.append(line).append('\n');
            if (line.contains(marker)) return seen.toString();
        }
    }

    private void stopsCleanlyOn(String signal) throws Exception {
        Process p = start();
        try {
            BlockingQueue<String> lines = lines(p);
            readUntil(lines, "PIPELINE RUNNING");
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
            assertTrue(kill.waitFor(30, TimeUnit.SECONDS), "kill -" + signal + " did not return within 30 s");
            String rest = readUntil(lines, "PIPELINE STOPPED");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the daemon did not exit after SIG" + signal);
            assertEquals(0, p.exitValue(), rest);
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Whether this JVM started with SIGINT ignored, as a background job of a non-interactive shell does: its children
     * inherit that, a JVM then installs no handler for it, and no SIGINT can reach the daemon.
     */
    static boolean sigintIgnored() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0;
        }
        return false;
    }

    @Test
    void sigtermStopsThePipelineAndExitsWith0() throws Exception {
        stopsCleanlyOn("TERM");
    }

    @Test
    void sigintStopsThePipelineAndExitsWith0() throws Exception {
        Assumptions.assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (started as a background job of a"
                + " script), so the daemon child inherits that and cannot receive it; SIGTERM is tested instead");
        stopsCleanlyOn("INT");
    }
}
