package io.tideline.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds initdb/pg_ctl: TIDELINE_PG_BIN first, then the highest /usr/lib/postgresql/N/bin that has initdb, then the
 * binaries from Maven Central on the class path (so a machine without PostgreSQL installed still runs the tests).
 */
final class PostgresBinaries {

    static final String ENV = "TIDELINE_PG_BIN";

    private PostgresBinaries() {
    }

    static Path find() {
        return installed().orElseGet(() -> {
            if (!EmbeddedPostgresBinaries.available()) {
                throw new IllegalStateException("Cannot start PostgreSQL: no binaries under /usr/lib/postgresql/*/bin"
                        + " and none on the class path. Install them (apt-get install -y postgresql), set " + ENV
                        + " or TIDELINE_TEST_PG_URL.");
            }
            return EmbeddedPostgresBinaries.bin();
        });
    }

    private static Optional<Path> installed() {
        String configured = System.getenv(ENV);
        if (configured != null && !configured.isBlank()) {
            Path dir = Paths.get(configured);
            if (!Files.isExecutable(dir.resolve("initdb"))) {
                throw new IllegalStateException("Cannot start PostgreSQL for tests: " + ENV + "=" + configured
                        + " has no executable initdb. Point " + ENV + " at a PostgreSQL bin directory.");
            }
            return Optional.of(dir);
        }
        Path root = Paths.get("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions
                    .map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("initdb")))
                    .max(Comparator.comparingInt(PostgresBinaries::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
