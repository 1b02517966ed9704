package io.tideline.daemon.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted over a directory, for faults a real file system shows: full (ENOSPC) or read-only (EROFS).
 * Needs the right to mount (root in CI); elsewhere the test is skipped with that reason printed.
 */
final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} (mount's syntax: 8m) over the existing, empty {@code dir}. */
    static Tmpfs mount(Path dir, String size) throws Exception {
        Result r = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        Assumptions.assumeTrue(r.code == 0, "skipped: cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): " + r.output);
        return new Tmpfs(dir);
    }

    void readOnly() throws Exception {
        check(run("mount", "-o", "remount,ro", dir.toString()), "remount read-only");
    }

    void writable() throws Exception {
        check(run("mount", "-o", "remount,rw", dir.toString()), "remount read-write");
    }

    @Override
    public void close() throws Exception {
        run("umount", "-l", dir.toString());
    }

    private record Result(int code, String output) {
    }

    private static void check(Result r, String what) {
        if (r.code != 0) throw new IllegalStateException("cannot " + what + ": " + r.output);
    }

    private static Result run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, String.join(" ", cmd) + " did not finish within 30 s");
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes()).strip());
    }
}
