package io.tideline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A private PostgreSQL data directory and its postmaster, driven through initdb and pg_ctl. */
final class PostgresServer {

    static final String DIR_PREFIX = "tideline-pg-";
    /** Holds the pid of the JVM that owns the cluster, so a later JVM can remove clusters of dead JVMs. */
    static final String OWNER_FILE = "tideline-owner.pid";
    private static final long PG_CTL_TIMEOUT_SECONDS = 90;

    private final Path bin;
    private final Path dataDir;
    private final int port;

    private PostgresServer(Path bin, Path dataDir, int port) {
        this.bin = bin;
        this.dataDir = dataDir;
        this.port = port;
    }

    static PostgresServer initAndStart(Path bin) {
        sweepOrphans(bin);
        Path dir;
        try {
            dir = Files.createTempDirectory(tempRoot(), DIR_PREFIX);
            Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a PostgreSQL data directory under " + tempRoot() + ": "
                    + e.getMessage() + ". Check free space and permissions of java.io.tmpdir.", e);
        }
        PostgresServer server = new PostgresServer(bin, dir.resolve("data"), FreePorts.next());
        try {
            server.init();
            server.start();
            return server;
        } catch (RuntimeException e) {
            server.destroy();
            throw e;
        }
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    private void init() {
        if (Commands.runningAsRoot()) {
            // initdb creates DATA itself but must be able to write into its parent as the server's user.
            Commands.run(List.of("chown", "-R", Commands.serverUser() + ":", dataDir.getParent().toString()), 30);
        }
        Commands.run(Commands.asPostgres(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(),
                "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")), 120);
        String conf = String.join("\n",
                "",
                "# tideline testkit: a throwaway cluster; durability settings are off on purpose",
                "wal_level = logical",
                "max_replication_slots = 16",
                "max_wal_senders = 16",
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + dataDir + "'",
                "fsync = off",
                // on, unlike the other switches: with off, stop -m immediate loses acknowledged commits, and
                // fault tests must be able to count on every committed row surviving a crash. fsync=off keeps
                // commits cheap (a write, no flush).
                "synchronous_commit = on",
                "full_page_writes = off",
                "max_connections = 200",
                "shared_buffers = 128MB",
                "");
        String hba = String.join("\n",
                "",
                "host all all 127.0.0.1/32 trust",
                "host replication all 127.0.0.1/32 trust",
                "");
        try {
            Files.writeString(dataDir.resolve("postgresql.conf"),
                    Files.readString(dataDir.resolve("postgresql.conf")) + conf);
            Files.writeString(dataDir.resolve("pg_hba.conf"), Files.readString(dataDir.resolve("pg_hba.conf")) + hba);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot configure the test cluster in " + dataDir + ": " + e.getMessage()
                    + ". Check permissions of the data directory.", e);
        }
    }

    void start() {
        pgCtl("-l", dataDir.resolve("log").toString(), "start");
    }

    void stop(boolean immediate) {
        pgCtl("-m", immediate ? "immediate" : "fast", "stop");
    }

    boolean isRunning() {
        return postmasterPid(dataDir).map(Processes::isRunning).orElse(false);
    }

    /** Stops the server without waiting for a clean shutdown and removes every file; never throws. */
    void destroy() {
        destroy(bin, dataDir.getParent());
    }

    private void pgCtl(String... args) {
        List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDir.toString(),
                "-w", "-t", Long.toString(PG_CTL_TIMEOUT_SECONDS)));
        command.addAll(List.of(args));
        try {
            Commands.run(Commands.asPostgres(command), PG_CTL_TIMEOUT_SECONDS + 10);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\nServer log tail:\n" + logTail(), e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(dataDir.resolve("log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void destroy(Path bin, Path clusterDir) {
        Path data = clusterDir.resolve("data");
        Optional<Long> postmaster = postmasterPid(data).filter(Processes::isRunning);
        if (postmaster.isPresent()) {
            try {
                Commands.run(Commands.asPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                        "-w", "-t", "20", "-m", "immediate", "stop")), 30);
            } catch (RuntimeException e) {
                // pg_ctl failed: the postmaster must still go, or it stays on the 2-core machine forever.
                ProcessHandle.of(postmaster.get()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        Directories.deleteQuietly(clusterDir);
    }

    private static Optional<Long> postmasterPid(Path data) {
        try {
            List<String> lines = Files.readAllLines(data.resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Removes clusters left behind by test JVMs that died without running their shutdown hooks. */
    private static void sweepOrphans(Path bin) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tempRoot(), DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                Optional<Long> owner = readPid(dir.resolve(OWNER_FILE));
                boolean ownerGone = owner.isPresent() && !Processes.isRunning(owner.get());
                if (ownerGone) {
                    destroy(bin, dir);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // sweeping is a courtesy; it must never fail a test
        }
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Path tempRoot() {
        return Paths.get(System.getProperty("java.io.tmpdir"));
    }
}
