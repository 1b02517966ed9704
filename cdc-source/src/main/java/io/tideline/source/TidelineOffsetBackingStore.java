package io.tideline.source;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * Debezium's offset store, kept in one file under Tideline's state dir. Unlike Kafka's
 * {@code FileOffsetBackingStore} (which overwrites the file in place) every save writes a temp file, fsyncs it,
 * renames it over the old one atomically and fsyncs the directory, so a crash leaves either the old or the
 * new offsets, never a torn file. A CRC trailer catches a file damaged anyway.
 *
 * <p>Debezium only writes here when Tideline acknowledges a position (see {@link DebeziumChangeSource}), so the
 * file always holds an acknowledged offset. The engine creates this class by reflection; the file name comes
 * from {@value #FILE_PROPERTY}.
 */
public class TidelineOffsetBackingStore extends MemoryOffsetBackingStore {

    public static final String FILE_PROPERTY = "offset.storage.file.filename";

    private static final int MAGIC = 0x544C4F31; // "TLO1"
    /** Debezium's {@code PostgresOffsetContext.LAST_COMPLETELY_PROCESSED_LSN_KEY}. */
    static final String LAST_PROCESSED_KEY = "lsn_proc";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Map<Path, AtomicLong> SAVES = new ConcurrentHashMap<>();

    private Path file;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        String name = config.originalsStrings().get(FILE_PROPERTY);
        if (name == null || name.isBlank()) {
            throw new ConnectException("Cannot store source offsets: " + FILE_PROPERTY
                    + " is not set. Set it to a file under the state dir.");
        }
        file = Path.of(name).toAbsolutePath();
    }

    @Override
    public synchronized void start() {
        super.start();
        try {
            data = new HashMap<>();
            read(file).forEach((k, v) -> data.put(k, withoutResumeSearch(v)));
        } catch (IOException e) {
            throw new ConnectException("Cannot read source offsets from " + file + ": " + e.getMessage()
                    + ". Restore the file or remove it to start from the replication slot.", e);
        }
    }

    @Override
    protected void save() {
        try {
            write(file, data);
            SAVES.computeIfAbsent(file, f -> new AtomicLong()).incrementAndGet();
        } catch (IOException e) {
            throw new ConnectException("Cannot write source offsets to " + file + ": " + e.getMessage()
                    + ". Check free space and permissions of the state dir.", e);
        }
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        // Only Kafka Connect's REST API lists partitions; the embedded engine never asks.
        return Set.of();
    }

    /**
     * The offset without {@value #LAST_PROCESSED_KEY}, which is what turns on Debezium's WAL resume search. That
     * search takes the message after the one at the stored LSN as where to resume and filters everything before it,
     * but pgoutput sends a transaction whole at its commit, with the LSNs its changes had in the WAL: a transaction
     * still open when the acknowledged one committed (its first changes lie before that commit) lost its start, BEGIN
     * included, whenever one of its changes directly followed that commit record. Without the key Debezium streams
     * everything PostgreSQL sends from the stored LSN, and Tideline drops what it already acknowledged by position.
     */
    static ByteBuffer withoutResumeSearch(ByteBuffer value) {
        if (value == null) return null;
        byte[] bytes = new byte[value.remaining()];
        value.duplicate().get(bytes);
        try {
            com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(bytes);
            if (!(node instanceof com.fasterxml.jackson.databind.node.ObjectNode o) || !o.has(LAST_PROCESSED_KEY)) return value;
            o.remove(LAST_PROCESSED_KEY);
            return ByteBuffer.wrap(JSON.writeValueAsBytes(o));
        } catch (IOException e) {
            return value; // not JSON: not an offset this applies to
        }
    }

    /** How many saves of {@code file} succeeded in this JVM: lets the source check an acknowledgement landed. */
    static long saves(Path file) {
        AtomicLong n = SAVES.get(file.toAbsolutePath());
        return n == null ? 0 : n.get();
    }

    static Map<ByteBuffer, ByteBuffer> read(Path file) throws IOException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        if (content.length < 12) {
            throw new IOException("the file is truncated (" + content.length + " bytes)");
        }
        CRC32 crc = new CRC32();
        crc.update(content, 0, content.length - 8);
        long stored = ByteBuffer.wrap(content, content.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException("its checksum does not match");
        }
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(content, 0, content.length - 8));
        if (in.readInt() != MAGIC) {
            throw new IOException("it is not a Tideline offset file");
        }
        int entries = in.readInt();
        Map<ByteBuffer, ByteBuffer> map = new HashMap<>();
        for (int i = 0; i < entries; i++) {
            map.put(readBytes(in), readBytes(in));
        }
        return map;
    }

    static void write(Path file, Map<ByteBuffer, ByteBuffer> data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(data.size());
        for (Map.Entry<ByteBuffer, ByteBuffer> e : data.entrySet()) {
            writeBytes(out, e.getKey());
            writeBytes(out, e.getValue());
        }
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();

        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(dir);
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static ByteBuffer readBytes(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0) {
            return null;
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return ByteBuffer.wrap(b);
    }

    private static void writeBytes(DataOutputStream out, ByteBuffer b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        ByteBuffer d = b.duplicate();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        out.writeInt(a.length);
        out.write(a);
    }
}
