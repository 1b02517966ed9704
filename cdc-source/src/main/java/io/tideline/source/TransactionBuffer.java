package io.tideline.source;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The changes of the open transaction, in arrival order: the first {@code memoryLimit} in memory, the rest
 * spilled to a temp file under {@code spillDir}, so a transaction of any size can wait for its commit LSN
 * without exhausting the heap. Not thread-safe.
 *
 * @param <T> a buffered change
 */
final class TransactionBuffer<T> implements AutoCloseable {

    /** Turns a change into bytes and back, for the part of a transaction that does not fit in memory. */
    interface Codec<T> {
        byte[] encode(T change);

        T decode(byte[] bytes);
    }

    @FunctionalInterface
    interface Visitor<T> {
        void visit(T change, int index, boolean last) throws InterruptedException;
    }

    private final int memoryLimit;
    private final Path spillDir;
    private final Codec<T> codec;
    private final UnaryOperator<T> keep;
    private final List<T> memory = new ArrayList<>();
    private final long memoryBytesLimit;
    private final java.util.function.ToLongFunction<T> sizer;
    private long memoryBytes;
    private Path spillFile;
    private DataOutputStream spill;
    private int spilled;

    TransactionBuffer(int memoryLimit, Path spillDir, Codec<T> codec) {
        this(memoryLimit, spillDir, codec, UnaryOperator.identity());
    }

    /** {@code keep} turns a change into the form it is held in memory in (a spilled change is encoded as added). */
    TransactionBuffer(int memoryLimit, Path spillDir, Codec<T> codec, UnaryOperator<T> keep) {
        this(memoryLimit, Long.MAX_VALUE, change -> 0, spillDir, codec, keep);
    }

    /**
     * As above, and spilling too once the changes in memory hold {@code memoryBytes} (as {@code sizer} counts the
     * kept form): a transaction of 200 rows of 1 MB must not wait in the heap any more than one of 100,000 rows.
     */
    TransactionBuffer(int memoryLimit, long memoryBytes, java.util.function.ToLongFunction<T> sizer, Path spillDir,
                      Codec<T> codec, UnaryOperator<T> keep) {
        if (memoryLimit < 1) {
            throw new IllegalArgumentException("Cannot buffer transactions: the in-memory limit is " + memoryLimit
                    + ". Use a positive number.");
        }
        this.memoryLimit = memoryLimit;
        this.memoryBytesLimit = memoryBytes;
        this.sizer = sizer;
        this.spillDir = spillDir;
        this.codec = codec;
        this.keep = keep;
    }

    void add(T change) {
        if (memory.size() < memoryLimit && memoryBytes < memoryBytesLimit) {
            T kept = keep.apply(change);
            memory.add(kept);
            memoryBytes += sizer.applyAsLong(kept);
            return;
        }
        if (spillDir == null || codec == null) {
            throw new IllegalStateException("Cannot buffer transaction: it has more than " + memoryLimit
                    + " changes and no spill directory is configured. Raise maxBufferedChanges or set stateDir.");
        }
        try {
            if (spill == null) {
                Files.createDirectories(spillDir);
                spillFile = Files.createTempFile(spillDir, "transaction-", ".spill");
                spill = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spillFile), 1 << 16));
            }
            byte[] bytes = codec.encode(change);
            spill.writeInt(bytes.length);
            spill.write(bytes);
            spilled++;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot spill a large transaction to " + spillDir + ": " + e.getMessage()
                    + ". Free disk space in the state dir or raise maxBufferedChanges.", e);
        }
    }

    int size() {
        return memory.size() + spilled;
    }

    boolean spilled() {
        return spilled > 0;
    }

    /** Visits every change in arrival order, then empties the buffer. */
    void drain(Visitor<T> visitor) throws InterruptedException {
        try {
            int n = size();
            int i = 0;
            for (T change : memory) {
                visitor.visit(change, i, i == n - 1);
                i++;
            }
            if (spilled > 0) {
                spill.close();
                spill = null;
                try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(spillFile), 1 << 16))) {
                    for (int k = 0; k < spilled; k++) {
                        byte[] bytes = new byte[in.readInt()];
                        in.readFully(bytes);
                        visitor.visit(codec.decode(bytes), i, i == n - 1);
                        i++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read back a spilled transaction from " + spillFile + ": "
                    + e.getMessage() + ". Check the state dir's disk.", e);
        } finally {
            clear();
        }
    }

    void clear() {
        memory.clear();
        memoryBytes = 0;
        spilled = 0;
        try {
            if (spill != null) {
                spill.close();
                spill = null;
            }
            if (spillFile != null) {
                Files.deleteIfExists(spillFile);
                spillFile = null;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove spill file " + spillFile + ": " + e.getMessage()
                    + ". Remove it by hand; it holds no state.", e);
        }
    }

    @Override
    public void close() {
        clear();
    }

    /** Removes the spill files a crashed run left: they hold no state (their transaction is replayed). */
    static void removeSpillFiles(java.nio.file.Path dir) throws java.io.IOException {
        if (!java.nio.file.Files.isDirectory(dir)) return;
        try (var files = java.nio.file.Files.newDirectoryStream(dir, "*.spill")) {
            for (java.nio.file.Path f : files) java.nio.file.Files.deleteIfExists(f);
        }
    }
}
