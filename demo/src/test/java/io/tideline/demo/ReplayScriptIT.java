package io.tideline.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/replay-test.sh --local} as CI runs it: the demo's PostgreSQL, broker and load, the daemon killed
 * with SIGKILL twice mid-load and started again, then {@code tideline verify}. Exit 0 only when every sink holds
 * every table as PostgreSQL does.
 */
class ReplayScriptIT {

    @TempDir
    Path tmp;

    @Test
    void twoKillsMidLoadLeaveEverySinkEqualToPostgres() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Path script = root.resolve("scripts/replay-test.sh");
        assertTrue(Files.isExecutable(script), script.toString());
        Path out = tmp.resolve("replay.out");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--local", "--dir", tmp.resolve("run").toString(),
                "--load-seconds", "40").redirectErrorStream(true).redirectOutput(out.toFile());
        // the jars were just built by this reactor; a rebuild from inside a test would race it
        pb.environment().put("TIDELINE_NO_BUILD", "1");
        Process p = pb.start();
        try {
            assertTrue(p.waitFor(9, TimeUnit.MINUTES), "replay-test.sh finishes:\n" + Files.readString(out));
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String text = Files.readString(out);
        System.out.println(text);
        assertEquals(2, text.lines().filter(l -> l.contains("kill -9 of the daemon")).count(), text);
        assertTrue(text.contains("RESULT: every sink holds all 4 tables as PostgreSQL does"), text);
        assertEquals(0, p.exitValue(), text);
    }
}
