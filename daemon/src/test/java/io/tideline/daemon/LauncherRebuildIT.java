package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/tideline builds first when the jar is missing or older than a main source or pom, and not otherwise.
 * Runs the real script in a copy of the repository layout with a stand-in {@code mvn} on the PATH that records
 * its arguments and "builds" by copying this build's jar, so no nested Maven build runs inside the test.
 */
class LauncherRebuildIT {
    private static final Path MODULE = Path.of("").toAbsolutePath();

    @TempDir
    Path repo;

    private Path mvnLog;
    private Path jar;

    @BeforeEach
    void layout() throws Exception {
        Files.createDirectories(repo.resolve("bin"));
        Files.copy(MODULE.getParent().resolve("bin/tideline"), repo.resolve("bin/tideline"));
        Files.createDirectories(repo.resolve("configs/src/main/java"));
        Files.writeString(repo.resolve("configs/src/main/java/A.java"), "class A {}");
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        Files.createDirectories(repo.resolve("daemon/target"));
        Files.createSymbolicLink(repo.resolve("daemon/target/lib"), MODULE.resolve("target/lib"));
        jar = repo.resolve("daemon/target/tideline.jar");
        mvnLog = repo.resolve("mvn.log");
        Path fakeBin = Files.createDirectories(repo.resolve("fakebin"));
        Path mvn = fakeBin.resolve("mvn");
        Files.writeString(mvn, "#!/usr/bin/env bash\necho \"$PWD $*\" >> '" + mvnLog + "'\ncp '"
                + MODULE.resolve("target/tideline.jar") + "' '" + jar + "'\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Result(int exitCode, String out, String err) {
    }

    private Result launch() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/tideline").toString(), "--version")
                .directory(MODULE.toFile());
        pb.environment().put("PATH", repo.resolve("fakebin") + ":" + System.getenv("PATH"));
        pb.environment().remove("TIDELINE_NO_BUILD");
        Path out = repo.resolve("out.txt");
        Path err = repo.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly); // the launcher's java or mvn child
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("bin/tideline hung for 60 s; its process tree was killed");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private long builds() throws Exception {
        return Files.exists(mvnLog) ? Files.readAllLines(mvnLog).size() : 0;
    }

    @Test
    void buildsOnceWhenTheJarIsMissingThenReusesIt() throws Exception {
        Result first = launch();
        assertEquals(0, first.exitCode(), first.err());
        assertEquals(1, builds());
        assertEquals(repo.toRealPath() + " -q -B -DskipTests -pl daemon -am install",
                Files.readAllLines(mvnLog).get(0));
        assertTrue(first.err().contains("building"), first.err());
        assertTrue(first.out().startsWith("tideline "), first.out());

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        Result second = launch();
        assertEquals(0, second.exitCode(), second.err());
        assertEquals(1, builds(), "rebuilt although the jar is newer than every source");
        assertFalse(second.err().contains("building"), second.err());
    }

    @Test
    void rebuildsWhenAMainSourceOrPomIsNewerThanTheJar() throws Exception {
        Files.copy(MODULE.resolve("target/tideline.jar"), jar);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        assertEquals(0, launch().exitCode());
        assertEquals(1, builds(), "a source newer than the jar must trigger a build");

        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(60)));
        Files.setLastModifiedTime(repo.resolve("configs/src/main/java/A.java"), FileTime.from(Instant.now().minusSeconds(120)));
        Files.setLastModifiedTime(repo.resolve("pom.xml"), FileTime.from(Instant.now()));
        assertEquals(0, launch().exitCode());
        assertEquals(2, builds(), "a pom newer than the jar must trigger a build");
    }
}
