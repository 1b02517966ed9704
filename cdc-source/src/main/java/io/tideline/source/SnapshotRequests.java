package io.tideline.source;

import io.tideline.api.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Asks for tables to be snapshotted again ({@code tideline snapshot --table ...}): one file per request under
 * {@value #DIR} in the state dir, picked up by the running daemon within a second, or by the next start.
 */
public final class SnapshotRequests {

    public static final String DIR = "snapshot-requests";
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotRequests.class);

    private final Path dir;

    public SnapshotRequests(Path stateDir) {
        this.dir = stateDir.resolve(DIR);
    }

    /** Files a request; returns its file. */
    public Path request(Collection<String> tables) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(System.currentTimeMillis() + "-" + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(tmp, String.join("\n", tables) + "\n", StandardCharsets.UTF_8);
            Path file = tmp.resolveSibling(tmp.getFileName().toString().replace(".tmp", ".request"));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot file a snapshot request under " + dir + ": " + e.getMessage()
                    + ". Check that the state dir exists and is writable.", e);
        }
    }

    /**
     * Takes every filed request: each named table that is captured and not being snapshotted becomes pending
     * again (saved before the request file goes). Returns those tables.
     */
    List<TableId> take(SnapshotState state) throws IOException {
        List<TableId> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        List<Path> files = new ArrayList<>();
        try (var ds = Files.newDirectoryStream(dir, "*.request")) {
            ds.forEach(files::add);
        }
        if (files.isEmpty()) return out;
        for (Path f : files) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                TableId t = TableId.parse(line.strip());
                SnapshotState.TableEntry e = state.get(t);
                if (e == null) {
                    LOG.warn("Snapshot of {} requested, but the table is not captured; add it to"
                            + " tideline.source.table.include.list instead", t);
                } else if (e.status != SnapshotState.Status.CAPTURED) {
                    LOG.info("Snapshot of {} requested while its snapshot is still running; nothing to do", t);
                } else if (!out.contains(t)) {
                    state.put(t, SnapshotState.Status.PENDING);
                    out.add(t);
                    LOG.info("Snapshot of {} requested: its rows are read again as snapshot (r) events", t);
                }
            }
        }
        if (!out.isEmpty()) state.save();
        for (Path f : files) Files.deleteIfExists(f);
        return out;
    }
}
