package io.tideline.idempotency;

import io.tideline.api.Position;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * {@code <stateDir>/epochs.ledger}: the last committed epochs and their end positions. The coordinator writes
 * it after every sink prepared an epoch and before the source may acknowledge, so after a crash the ledger never
 * names a position that a sink has not made durable.
 *
 * <p>Each commit rewrites the whole (bounded) file: temp file, fsync, atomic rename, fsync of the directory.
 * A crash leaves either the old or the new file, and at worst a stray temp file, which open ignores.
 * The file ends with a trailer holding the entry count and a CRC32, so a truncated or edited file is refused
 * instead of being read as an older state.
 *
 * <p>Opening the ledger also takes the state-dir lock; {@link #close()} releases it. Thread-safe.
 */
public final class EpochLedger implements AutoCloseable {

    public static final String FILE_NAME = "epochs.ledger";
    static final String TEMP_NAME = FILE_NAME + ".tmp";
    static final String HEADER = "tideline-epoch-ledger 1";
    /** Enough history to read what happened in the last hours of short epochs, small enough to rewrite each time. */
    public static final int DEFAULT_RETAINED = 256;

    private final Path stateDir;
    private final Path file;
    private final int retained;
    private final StateDirLock lock;
    private final Deque<EpochRecord> entries;

    private EpochLedger(Path stateDir, int retained, StateDirLock lock, Deque<EpochRecord> entries) {
        this.stateDir = stateDir;
        this.file = stateDir.resolve(FILE_NAME);
        this.retained = retained;
        this.lock = lock;
        this.entries = entries;
    }

    public static EpochLedger open(Path stateDir) throws IOException {
        return open(stateDir, DEFAULT_RETAINED);
    }

    /** Opens (creating the directory if needed) and locks the state dir, then reads the ledger if there is one. */
    public static EpochLedger open(Path stateDir, int retained) throws IOException {
        if (retained < 1) {
            throw new IllegalArgumentException("Cannot open epoch ledger: retained entries must be at least 1, got "
                    + retained + ".");
        }
        Files.createDirectories(stateDir);
        StateDirLock lock = StateDirLock.acquire(stateDir);
        try {
            // A temp file is what a crash mid-commit leaves behind; the committed state is the main file.
            Files.deleteIfExists(stateDir.resolve(TEMP_NAME));
            return new EpochLedger(stateDir, retained, lock, read(stateDir.resolve(FILE_NAME)));
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * The last committed epoch of a state dir, read without taking its lock (for status while a daemon runs): the
     * ledger is replaced by atomic rename, so a read sees one whole version.
     */
    public static Optional<EpochRecord> peekLast(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE_NAME);
        if (!java.nio.file.Files.exists(file)) return Optional.empty();
        Deque<EpochRecord> records = read(file);
        return records.isEmpty() ? Optional.empty() : Optional.of(records.peekLast());
    }

    public Path file() {
        return file;
    }

    public synchronized Optional<EpochRecord> lastCommitted() {
        return Optional.ofNullable(entries.peekLast());
    }

    /** The retained entries, oldest first. */
    public synchronized List<EpochRecord> history() {
        return List.copyOf(entries);
    }

    /**
     * Records that epoch {@code epoch} committed with everything at or before {@code end} durable. Returns once
     * the record is on disk.
     */
    public synchronized EpochRecord commit(long epoch, Position end) throws IOException {
        if (end == null) {
            throw new IllegalArgumentException("Cannot commit epoch " + epoch + ": the end position is required.");
        }
        EpochRecord last = entries.peekLast();
        if (last != null && epoch <= last.epoch()) {
            throw new IllegalStateException("Cannot commit epoch " + epoch + ": epoch " + last.epoch()
                    + " is already committed in " + file + ". Epoch ids must increase.");
        }
        if (last != null && end.compareTo(last.end()) < 0) {
            throw new IllegalStateException("Cannot commit epoch " + epoch + " at position " + end
                    + ": it is below the last committed position " + last.end() + " in " + file
                    + ". Positions must not move backwards.");
        }
        EpochRecord record = new EpochRecord(epoch, end, System.currentTimeMillis());
        Deque<EpochRecord> next = new ArrayDeque<>(entries);
        next.addLast(record);
        while (next.size() > retained) next.removeFirst();
        write(next);
        entries.clear();
        entries.addAll(next);
        return record;
    }

    private void write(Deque<EpochRecord> records) throws IOException {
        byte[] bytes = encode(records).getBytes(StandardCharsets.UTF_8);
        Path temp = stateDir.resolve(TEMP_NAME);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("Cannot commit epoch ledger " + file + ": the file system does not support atomic "
                    + "rename. Put tideline.state.dir on a local POSIX file system.", e);
        }
        fsyncDirectory(stateDir);
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        // The rename is durable only once the directory entry is; Linux allows fsync on a directory fd.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) throw e;
        }
    }

    static String encode(Iterable<EpochRecord> records) {
        StringBuilder body = new StringBuilder(HEADER).append('\n');
        int count = 0;
        for (EpochRecord r : records) {
            body.append(r.epoch()).append(' ').append(r.end()).append(' ').append(r.wallTimeMs()).append('\n');
            count++;
        }
        return body + "end " + count + " " + crc(body.toString()) + "\n";
    }

    private static String crc(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    static Deque<EpochRecord> read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ArrayDeque<>();
        } catch (java.nio.charset.MalformedInputException e) {
            throw corrupt(file, "it is not UTF-8 text");
        }
        if (!text.startsWith(HEADER + "\n")) {
            throw corrupt(file, "it does not start with '" + HEADER + "' (unknown format)");
        }
        if (!text.endsWith("\n")) throw corrupt(file, "it is truncated (no final line break)");
        int trailerStart = text.lastIndexOf('\n', text.length() - 2) + 1;
        String trailer = text.substring(trailerStart, text.length() - 1);
        String body = text.substring(0, trailerStart);
        String[] t = trailer.split(" ");
        if (t.length != 3 || !t[0].equals("end")) throw corrupt(file, "it is truncated (no 'end' trailer)");
        if (!t[2].equals(crc(body))) throw corrupt(file, "its checksum does not match its content");
        List<String> lines = new ArrayList<>(List.of(body.split("\n")));
        lines.remove(0);
        if (!t[1].equals(Integer.toString(lines.size()))) {
            throw corrupt(file, "the trailer counts " + t[1] + " entries but there are " + lines.size());
        }
        Deque<EpochRecord> out = new ArrayDeque<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            try {
                if (f.length != 3) throw new IllegalArgumentException("expected 3 fields");
                out.addLast(new EpochRecord(Long.parseLong(f[0]), Position.parse(f[1]), Long.parseLong(f[2])));
            } catch (IllegalArgumentException e) {
                throw corrupt(file, "line '" + line + "' is not '<epoch> <position> <wallTimeMs>'");
            }
        }
        return out;
    }

    private static IOException corrupt(Path file, String why) {
        return new IOException("Cannot read epoch ledger " + file.toAbsolutePath() + ": " + why
                + ". Restore it from a backup, or delete it to restart from the replication slot's position"
                + " (sinks fence the replay).");
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }
}
