package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.config.ConfigDocs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws Exception {
        Path f = Files.createTempFile(dir, "tideline", ".properties");
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private Path goodKafkaFile(String... extra) throws Exception {
        String[] base = {
            "tideline.source.database.hostname=127.0.0.1",
            "tideline.source.database.user=repl",
            "tideline.source.database.password=sup3rs3cret",
            "tideline.source.database.dbname=shop",
            "tideline.sink.kafka.enabled=true",
            "tideline.sink.kafka.bootstrap.servers=127.0.0.1:1",
            "tideline.http.port=0",
            "tideline.runtime.shutdown.timeout=2s"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return file(all);
    }

    @Test
    void versionPrintsTidelineAndTheProjectVersion() {
        CliRun run = CliRun.of("--version");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().strip().matches("tideline \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), run.out());
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        CliRun run = CliRun.of("--help");
        assertEquals(0, run.exitCode());
        for (String s : new String[] {"run", "validate", "snapshot", "config-docs", "--version", "Exit codes"}) {
            assertTrue(run.out().contains(s), s + " missing from " + run.out());
        }
    }

    @Test
    void unusableCommandLinesExitWith2() {
        assertEquals(2, CliRun.of().exitCode());
        assertEquals(2, CliRun.of("--no-such-option").exitCode());
        assertEquals(2, CliRun.of("frobnicate").exitCode());
        CliRun noConfig = CliRun.of("validate");
        assertEquals(2, noConfig.exitCode());
        assertTrue(noConfig.err().contains("--config"), noConfig.err());
    }

    @Test
    void snapshotFilesARequestTheDaemonPicksUpAndRefusesTablesItDoesNotCapture() throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path config = goodKafkaFile("tideline.state.dir=" + state, "tideline.source.table.include.list=public.orders,public.items");
        CliRun ok = CliRun.of("snapshot", "--config", config.toString(), "--table", "public.orders");
        assertEquals(0, ok.exitCode(), ok.all());
        try (var files = Files.list(state.resolve(io.tideline.source.SnapshotRequests.DIR))) {
            List<Path> requests = files.toList();
            assertEquals(1, requests.size(), requests.toString());
            assertEquals("public.orders", Files.readString(requests.get(0)).strip());
        }
        CliRun other = CliRun.of("snapshot", "--config", config.toString(), "--table", "public.customers");
        assertEquals(2, other.exitCode(), other.all());
        assertTrue(other.all().contains("tideline.source.table.include.list"), other.all());
        CliRun malformed = CliRun.of("snapshot", "--config", config.toString(), "--table", "orders");
        assertEquals(2, malformed.exitCode(), malformed.all());
        assertTrue(malformed.all().contains("expected schema.table"), malformed.all());
        CliRun noState = CliRun.of("snapshot", "--config", goodKafkaFile("tideline.state.dir=" + dir.resolve("absent")).toString(),
                "--table", "public.orders");
        assertEquals(2, noState.exitCode(), noState.all());
        assertTrue(noState.all().contains("does not exist"), noState.all());
    }

    @Test
    void configDocsPrintsTheGeneratedTable() {
        CliRun run = CliRun.of("config-docs");
        assertEquals(0, run.exitCode());
        assertEquals(ConfigDocs.markdown(), run.out());
    }

    @Test
    void validateOfAMissingFileExitsWith2() {
        CliRun run = CliRun.of("validate", "--config", dir.resolve("absent.properties").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.all().contains("does not exist"), run.all());
    }

    @Test
    void validateReportsEveryConfigurationProblemWithItsKeyBeforeTouchingTheWorld() throws Exception {
        Path f = file("tideline.source.database.hostname=127.0.0.1",
                "tideline.source.database.port=abc",
                "tideline.source.databse.dbname=shop",
                "tideline.source.database.password=sup3rs3cret",
                "tideline.sink.kafka.enabled=true",
                "tideline.sink.kafka.bootstrap.servers=127.0.0.1:1");
        CliRun run = CliRun.of("validate", "--config", f.toString());
        assertEquals(2, run.exitCode());
        String out = run.all();
        assertTrue(out.contains("FAIL  Cannot load configuration: property 'tideline.source.database.port' has value "
                + "'abc', which is not a port (1-65535). Fix it in " + f + "."), out);
        assertTrue(out.contains("'tideline.source.databse.dbname' is not a known property. Did you mean "
                + "'tideline.source.database.dbname'?"), out);
        assertTrue(out.contains("'tideline.source.database.user' is required"), out);
        assertTrue(out.contains("'tideline.source.database.dbname' is required"), out);
        assertFalse(out.contains("sup3rs3cret"), out);
        assertFalse(out.contains("PostgreSQL reachable"), out);
    }

    @Test
    void runWithABadConfigurationExitsWith2NamingTheKey() throws Exception {
        Path f = goodKafkaFile("tideline.runtime.epoch.duration=forever");
        CliRun run = CliRun.of((cfg, registry) -> {
            throw new AssertionError("the pipeline must not be built from a bad configuration");
        }, "run", "--config", f.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("'tideline.runtime.epoch.duration' has value 'forever'"), run.err());
    }

    @Test
    void runExitsWith1AndSaysWhyWhenThePipelineCannotBeBuilt() throws Exception {
        PipelineProvider broken = (cfg, registry) -> {
            throw new UnsupportedOperationException("pipeline wiring lands with issue 5");
        };
        CliRun run = CliRun.of(broken, "run", "--config", goodKafkaFile().toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("Cannot run tideline: the pipeline failed: pipeline wiring lands with issue 5"),
                run.err());
        assertFalse(run.all().contains("sup3rs3cret"));
    }

    @Test
    void runExitsWith1WhenThePipelineFails() throws Exception {
        PipelineProvider failing = (cfg, registry) -> new Pipeline() {
            @Override
            public void run() {
                throw new IllegalStateException("slot 'tideline' is in use by another process");
            }

            @Override
            public void stop() {
            }
        };
        CliRun run = CliRun.of(failing, "run", "--config", goodKafkaFile().toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("slot 'tideline' is in use by another process"), run.err());
    }

    @Test
    void aConfigurationErrorRaisedByThePipelineFactoryExitsWith2() throws Exception {
        PipelineProvider strict = (cfg, registry) -> {
            throw new io.tideline.config.ConfigException("tideline.transforms.public.users.filter",
                    "Cannot load configuration: property 'tideline.transforms.public.users.filter' has value 'id >', "
                            + "which is not a predicate. Fix it in the file.");
        };
        CliRun run = CliRun.of(strict, "run", "--config", goodKafkaFile().toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("'tideline.transforms.public.users.filter'"), run.err());
    }

    @Test
    void runExitsWith0WhenThePipelineEndsCleanly() throws Exception {
        PipelineProvider finite = (cfg, registry) -> new Pipeline() {
            @Override
            public void run() {
            }

            @Override
            public void stop() {
            }
        };
        assertEquals(0, CliRun.of(finite, "run", "--config", goodKafkaFile().toString()).exitCode());
    }
}
