package io.tideline.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tideline.api.TableId;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which tables Tideline captures and how far each one's snapshot got, under the state dir in {@value #FILE}
 * (temp file, fsync, atomic rename, like the epoch ledger). A table that appears in the include list without an
 * entry here is new and gets snapshotted; a chunk stays listed as open until an acknowledged position covers it.
 */
final class SnapshotState {

    static final String FILE = "snapshot-state.json";

    enum Status {
        /** Waits for its snapshot; the stream holds back its changes, which the snapshot will read instead. */
        PENDING,
        /** Chunks are being read against the base snapshot. */
        SNAPSHOTTING,
        /** Snapshot finished, or captured without one (snapshot.mode=no_data, deployments older than this file). */
        CAPTURED
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class TableEntry {
        public String schema;
        public String table;
        public Status status;
        /** LSN of the base watermark: the table's changes committed before it are in the snapshot. */
        public long baseLsn;
        /** WAL insert position when the base snapshot was taken: every transaction it saw committed before. */
        public long baseEndLsn;
        /** The base snapshot ({@code pg_current_snapshot()} text): rows it saw come from chunks, the rest streams. */
        public String baseSnapshot;
        public List<String> nextLower;
        public boolean allPlanned;
        public long nextChunkId;
        public List<ChunkEntry> open = new ArrayList<>();
        public long rowsEmitted;
        public long chunksDone;
        public long estimatedRows;
        public long startedAtMs;
        public long finishedAtMs;

        TableId id() {
            return new TableId(schema, table);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class ChunkEntry {
        public long id;
        public List<String> lower;
        public List<String> upper;

        Chunk chunk(TableId table) {
            return new Chunk(table, id, lower, upper);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    static final class Document {
        public int version = 1;
        public List<TableEntry> tables = new ArrayList<>();
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Map<TableId, TableEntry> tables = new LinkedHashMap<>();
    private final boolean existed;

    private SnapshotState(Path file, Document doc, boolean existed) {
        this.file = file;
        this.existed = existed;
        for (TableEntry e : doc.tables) tables.put(e.id(), e);
    }

    static SnapshotState load(Path stateDir) {
        Path file = stateDir.resolve(FILE);
        if (!Files.exists(file)) return new SnapshotState(file, new Document(), false);
        try {
            return new SnapshotState(file, JSON.readValue(file.toFile(), Document.class), true);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read snapshot state " + file + ": " + e.getMessage() + ". Restore"
                    + " it from a backup, or remove it together with the state dir's source offsets to start the"
                    + " capture over (every table is snapshotted again).", e);
        }
    }

    /** False when this state dir predates the file (or is new). */
    boolean existed() {
        return existed;
    }

    synchronized TableEntry get(TableId table) {
        return tables.get(table);
    }

    synchronized Collection<TableEntry> entries() {
        return List.copyOf(tables.values());
    }

    synchronized TableEntry put(TableId table, Status status) {
        TableEntry e = new TableEntry();
        e.schema = table.schema();
        e.table = table.table();
        e.status = status;
        tables.put(table, e);
        return e;
    }

    synchronized void remove(TableId table) {
        tables.remove(table);
    }

    /** Writes the state durably; callers mutate entries under this object's lock, then save. */
    synchronized void save() {
        Document doc = new Document();
        doc.tables.addAll(tables.values());
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            byte[] bytes = JSON.writeValueAsBytes(doc);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            ChunkJournal.fsyncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write snapshot state " + file + ": " + e.getMessage()
                    + ". Check free space and permissions of the state dir.", e);
        }
    }
}
