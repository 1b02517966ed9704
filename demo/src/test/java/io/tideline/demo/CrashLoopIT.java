package io.tideline.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's crash loop at CI size: five kill -9 of the daemon at seeded random moments of a mixed load that starts
 * before the initial snapshot (bulk transactions, a keyless table, an ADD COLUMN included); verify then finds both
 * sinks equal to PostgreSQL. The seed is in the output; {@code bin/tideline crash-loop --kills 5 --seed S} replays it.
 */
class CrashLoopIT {

    @TempDir
    Path tmp;

    @Test
    void fiveSeededKillsUnderLoadLeaveEverySinkEqualToPostgres() throws Exception {
        Path out = tmp.resolve("crash-loop.out");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), CrashLoop.class.getName(), "--kills", "5",
                "--dir", tmp.resolve("run").toString()));
        String seed = System.getenv("TIDELINE_CRASH_LOOP_SEED");
        if (seed != null && !seed.isBlank()) command.addAll(List.of("--seed", seed));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            assertTrue(p.waitFor(8, TimeUnit.MINUTES), "the crash loop finishes:\n" + Files.readString(out));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String text = Files.readString(out);
        System.out.println(text);
        assertEquals(5, text.lines().filter(l -> l.startsWith("crash loop: kill ")).count(), text);
        assertTrue(text.contains("0 lost, 0 duplicated: every sink equals PostgreSQL"), text);
        assertEquals(0, p.exitValue(), text);
    }
}
