package io.tideline.source;

import io.tideline.api.TableId;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of every chunk handed to the pipeline but not yet acknowledged, written (and fsynced) before the first
 * of them leaves. A chunk read again after a crash would hold other rows (the table moved on), which the sinks'
 * position fences could not tell from new ones; replaying the journal instead gives every sink the same rows at
 * the same positions, so each fences the replay exactly as it fences a replayed transaction.
 */
final class ChunkJournal {

    static final String DIR = "snapshot-journal";
    /** Version 1 files (no column line) are still read: their rows are taken to have the table's current columns. */
    private static final String MAGIC_V1 = "tideline-chunk 1";
    private static final String MAGIC = "tideline-chunk 2";

    /**
     * One journaled chunk: where it was emitted, the columns it was read with (null in a version 1 file) and its rows
     * as COPY text lines. The columns let a replay after a schema change put each value in its column.
     */
    record Entry(Chunk chunk, long lsn, List<String> lines, List<String> columns, Path file) {
    }

    private final Path dir;

    ChunkJournal(Path stateDir) {
        this.dir = stateDir.resolve(DIR);
    }

    void write(Chunk chunk, long lsn, List<String> lines, List<String> columns) {
        try {
            Files.createDirectories(dir);
            Path file = fileOf(chunk);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                StringBuilder head = new StringBuilder(MAGIC).append('\n')
                        .append(escape(chunk.table().schema())).append('\n')
                        .append(escape(chunk.table().table())).append('\n')
                        .append(chunk.id()).append('\n')
                        .append(Long.toUnsignedString(lsn)).append('\n')
                        .append(bounds(chunk.lower())).append('\n')
                        .append(bounds(chunk.upper())).append('\n')
                        .append(bounds(columns)).append('\n')
                        .append(lines.size()).append('\n');
                out.write(head.toString().getBytes(StandardCharsets.UTF_8));
                for (String line : lines) {
                    out.write(line.getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                }
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot journal chunk " + chunk.key() + " under " + dir + ": " + e.getMessage()
                    + ". Check free space of the state dir; nothing of the chunk was handed on.", e);
        }
    }

    /** Every journaled chunk, oldest emission first. */
    List<Entry> readAll() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        try (var files = Files.newDirectoryStream(dir, "*.chunk")) {
            for (Path f : files) out.add(read(f));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the chunk journal " + dir + ": " + e.getMessage() + ".", e);
        }
        out.sort((a, b) -> Long.compareUnsigned(a.lsn(), b.lsn()));
        return out;
    }

    void delete(Chunk chunk) {
        try {
            Files.deleteIfExists(fileOf(chunk));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove journaled chunk " + fileOf(chunk) + ": " + e.getMessage(), e);
        }
    }

    private Entry read(Path f) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            String magic = r.readLine();
            if (!MAGIC.equals(magic) && !MAGIC_V1.equals(magic)) {
                throw new IOException("not a Tideline chunk journal file: " + f + ". Remove it only if the state dir"
                        + " is being reset as a whole");
            }
            TableId table = new TableId(unescape(r.readLine()), unescape(r.readLine()));
            long id = Long.parseLong(r.readLine());
            long lsn = Long.parseUnsignedLong(r.readLine());
            List<String> lower = parseBounds(r.readLine());
            List<String> upper = parseBounds(r.readLine());
            List<String> columns = MAGIC.equals(magic) ? parseBounds(r.readLine()) : null;
            int n = Integer.parseInt(r.readLine());
            List<String> lines = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String line = r.readLine();
                if (line == null) {
                    throw new IOException("journaled chunk " + f + " ends after " + i + " of " + n + " rows");
                }
                lines.add(line);
            }
            return new Entry(new Chunk(table, id, lower, upper), lsn, lines, columns, f);
        }
    }

    private Path fileOf(Chunk chunk) {
        String name = (chunk.table().schema() + "." + chunk.table().table()).replaceAll("[^A-Za-z0-9_.-]", "_");
        return dir.resolve(name + "-" + Integer.toHexString(chunk.table().hashCode()) + "-" + chunk.id() + ".chunk");
    }

    private static String bounds(List<String> values) {
        if (values == null) return "-";
        StringBuilder sb = new StringBuilder("+");
        for (String v : values) sb.append('\t').append(escape(v));
        return sb.toString();
    }

    private static List<String> parseBounds(String line) {
        if (line == null || line.equals("-")) return null;
        String[] parts = line.split("\t", -1);
        List<String> out = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) out.add(unescape(parts[i]));
        return out;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(++i);
                sb.append(e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // Some file systems cannot open a directory for fsync; the rename is still atomic there.
        }
    }
}
