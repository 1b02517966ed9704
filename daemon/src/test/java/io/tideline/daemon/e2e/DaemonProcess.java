package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.daemon.wiring.PausePoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real daemon ({@code tideline run}) in a child JVM, with its output in a log file, killable with SIGKILL. */
final class DaemonProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private DaemonProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code tideline run --config file}; {@code pauseAt} (may be null) names a {@link PausePoints} point. */
    static DaemonProcess start(Path config, String pauseAt, Path log) throws IOException {
        return start(config, pauseAt, log, "768m");
    }

    /** As {@link #start(Path, String, Path)}, with a heap of {@code maxHeap} ({@code -Xmx} syntax). */
    static DaemonProcess start(Path config, String pauseAt, Path log, String maxHeap) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + maxHeap, "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), "io.tideline.daemon.Main", "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove(PausePoints.ENV);
        if (pauseAt != null) env.put(PausePoints.ENV, pauseAt);
        return new DaemonProcess(pb.start(), log);
    }

    /** Waits until the daemon printed the pause marker for its point, failing with the log tail otherwise. */
    void awaitPaused(Duration timeout) throws Exception {
        awaitLine(PausePoints.MARKER, timeout);
    }

    void awaitLine(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) return;
            if (!process.isAlive()) fail("daemon exited with " + process.exitValue() + " before printing '" + text + "':\n" + tail());
            Thread.sleep(50);
        }
        fail("daemon did not print '" + text + "' within " + timeout + ":\n" + tail());
    }

    /** kill -9: no shutdown hook, no flush, no goodbye. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) fail("daemon survived SIGKILL");
    }

    /** SIGTERM and the exit code of the graceful stop. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("daemon did not stop within " + timeout + " after SIGTERM:\n" + tail());
        }
        return process.exitValue();
    }

    /** Waits for the daemon to exit by itself and returns its exit code; fails after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            fail("daemon still runs after " + timeout + ", expected it to stop by itself:\n" + tail());
        }
        return process.exitValue();
    }

    boolean logContains(String text) {
        try {
            return Files.exists(log) && Files.readString(log).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) process.destroyForcibly();
        keepLog();
    }

    /** With {@code -Dtideline.it.logs=DIR}, the log outlives the test's temporary directory, for post-mortems. */
    private void keepLog() {
        String keep = System.getProperty("tideline.it.logs");
        if (keep == null || !Files.exists(log)) return;
        try {
            Path to = Path.of(keep);
            Files.createDirectories(to);
            Files.copy(log, to.resolve(System.currentTimeMillis() + "-" + log.getFileName()));
        } catch (IOException e) {
            System.err.println("could not keep " + log + ": " + e);
        }
    }
}
