package io.tideline.bench.kafka;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.config.TidelineConfig;
import io.tideline.daemon.Pipeline;
import io.tideline.daemon.PipelineFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Tideline with its defaults: the real pipeline (cdc-source → real-time runtime → Kafka sink), configured only
 * with what any user must give (connection, table, slot, publication, bootstrap servers, topic prefix) plus
 * {@code snapshot.mode=no_data} because the slot predates the rows. In process through
 * {@link PipelineFactory}, or as {@code tideline run --config} in a child JVM.
 */
final class TidelinePath implements CapturePath {
    private final BenchServices services;
    private final boolean childProcess;
    private Path stateDir;
    private Pipeline pipeline;
    private Thread thread;
    private volatile Throwable failure;
    private Process process;
    private Thread processReaper;

    private final Map<String, String> overrides;

    TidelinePath(BenchServices services, boolean childProcess, Map<String, String> overrides) {
        this.services = services;
        this.childProcess = childProcess;
        this.overrides = overrides;
    }

    @Override
    public String label() {
        return "Tideline, " + (overrides.isEmpty() ? "defaults" : "with " + overrides)
                + (childProcess ? " (child JVM)" : "");
    }

    @Override
    public String failure() {
        if (failure != null) {
            return failure.toString();
        }
        if (process != null && !process.isAlive()) {
            return "the child JVM exited with code " + process.exitValue() + " (see its log)";
        }
        return null;
    }

    Map<String, String> config(Fixture fixture) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("tideline.source.database.hostname", services.host);
        c.put("tideline.source.database.port", String.valueOf(services.port));
        c.put("tideline.source.database.user", services.user);
        c.put("tideline.source.database.password", services.password);
        c.put("tideline.source.database.dbname", services.database);
        c.put("tideline.source.table.include.list", fixture.qualifiedTable());
        c.put("tideline.source.slot.name", fixture.slot);
        c.put("tideline.source.publication.name", fixture.publication);
        c.put("tideline.source.snapshot.mode", "no_data");
        c.put("tideline.sink.kafka.enabled", "true");
        c.put("tideline.sink.kafka.bootstrap.servers", services.bootstrap);
        c.put("tideline.sink.kafka.topic.prefix", fixture.topicPrefix);
        c.put("tideline.state.dir", stateDir.toString());
        c.put("tideline.http.port", "0");
        c.putAll(overrides);
        return c;
    }

    @Override
    public void start(Fixture fixture, Receipts receipts) throws Exception {
        stateDir = Files.createTempDirectory("tideline-bench-state-");
        if (childProcess) {
            startProcess(fixture);
        } else {
            pipeline = PipelineFactory.create(TidelineConfig.from(config(fixture), Map.of()),
                    new SimpleMeterRegistry());
            thread = new Thread(() -> {
                try {
                    pipeline.run();
                } catch (Throwable t) {
                    failure = t;
                }
            }, "bench-tideline");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void startProcess(Fixture fixture) throws IOException {
        Path file = stateDir.resolve("tideline.properties");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, String> e : config(fixture).entrySet()) {
                w.write(e.getKey() + "=" + e.getValue().replace("\\", "\\\\") + "\n");
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("-Xmx1g");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.tideline.daemon.Main");
        cmd.add("run");
        cmd.add("--config");
        cmd.add(file.toString());
        Path log = Path.of(System.getProperty("java.io.tmpdir"), "tideline-bench-" + fixture.name + ".log");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        System.out.println("  Tideline child pid " + process.pid() + ", log " + log);
        Process p = process;
        processReaper = new Thread(p::destroyForcibly, "bench-tideline-reaper");
        Runtime.getRuntime().addShutdownHook(processReaper);
    }

    @Override
    public void close() throws Exception {
        try {
            if (pipeline != null) {
                pipeline.stop();
                thread.join(TimeUnit.SECONDS.toMillis(60));
                if (thread.isAlive()) {
                    throw new IllegalStateException("Cannot stop Tideline: run() did not return within 60 s of stop()."
                            + " Check tideline.runtime.shutdown.timeout.");
                }
            }
            if (process != null) {
                process.destroy(); // SIGTERM: the daemon's graceful stop
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                Runtime.getRuntime().removeShutdownHook(processReaper);
            }
        } finally {
            deleteQuietly(stateDir);
        }
        if (failure != null) {
            throw new IllegalStateException("Cannot run Tideline: " + failure + ".", failure);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("Cannot delete " + dir + ": " + e.getMessage() + ". Delete it by hand.");
        }
    }
}
