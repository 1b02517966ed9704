package io.tideline.sink.kafka;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * The reused buffer a record's JSON is written into. A finished record leaves as one exact-size copy
 * ({@link Arrays#copyOf}, which the JIT allocates without zeroing first), where Jackson's {@code ByteArrayBuilder}
 * zeroes a new array, walks a list of past blocks and then copies. Most of the ~40% of the Kafka writer's CPU a
 * profile once put in that copy was the heap's first touch of fresh pages, not the copy (bench/README.md).
 * Not thread-safe.
 */
final class RecordBuffer extends OutputStream {

    private byte[] bytes;
    private int size;

    RecordBuffer(int capacity) {
        this.bytes = new byte[capacity];
    }

    void reset() {
        size = 0;
    }

    @Override
    public void write(int b) {
        room(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        room(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** What was written since {@link #reset}, as a new array of exactly that length. */
    byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void room(int more) {
        if (size + more > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
}
