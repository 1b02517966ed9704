package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.PostgresCluster;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/tideline as a user runs it, from another working directory, on the jar this build packaged.
 * TIDELINE_NO_BUILD=1 keeps the launcher from starting a nested Maven build inside the test.
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("bin/tideline");

    @TempDir
    static Path dir;

    private static PostgresCluster pg;

    @BeforeAll
    static void start() {
        pg = PostgresCluster.shared();
    }

    record Result(int exitCode, String out, String err) {
    }

    private static Result launch(String... args) throws Exception {
        String[] cmd = new String[args.length + 1];
        cmd[0] = LAUNCHER.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("TIDELINE_NO_BUILD", "1");
        File out = dir.resolve("out.txt").toFile();
        File err = dir.resolve("err.txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/tideline did not finish within 60 s");
        }
        return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    private static Path config(Map<String, String> extra) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("tideline.source.database.hostname=").append(pg.host()).append('\n')
                .append("tideline.source.database.port=").append(pg.port()).append('\n')
                .append("tideline.source.database.user=").append(pg.user()).append('\n')
                .append("tideline.source.database.dbname=").append(pg.database()).append('\n')
                .append("tideline.sink.iceberg.enabled=true\n")
                .append("tideline.sink.iceberg.catalog.type=hadoop\n")
                .append("tideline.sink.iceberg.catalog.warehouse=").append(dir.resolve("wh").toUri()).append('\n');
        extra.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Path f = Files.createTempFile(dir, "launcher", ".properties");
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void versionRunsTheJarFromAnyWorkingDirectory() throws Exception {
        Result r = launch("--version");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().strip().matches("tideline \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out());
    }

    @Test
    void validateExitsWith0ForAGoodFileAnd2ForAMisspeltKey() throws Exception {
        Result good = launch("validate", "--config", config(Map.of()).toString());
        assertEquals(0, good.exitCode(), good.out() + good.err());
        assertTrue(good.out().contains("ok    wal_level is logical"), good.out());

        Result bad = launch("validate", "--config",
                config(Map.of("tideline.sink.iceberg.namespce", "x")).toString());
        assertEquals(2, bad.exitCode(), bad.out() + bad.err());
        assertTrue(bad.out().contains("Did you mean 'tideline.sink.iceberg.namespace'?"), bad.out());
    }
}
