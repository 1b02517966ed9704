package io.tideline.runtime;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A bounded single-producer single-consumer ring buffer between two workers: one edge of a streaming shuffle.
 * Records and barriers travel in the same queue, so a barrier stays behind every record sent before it.
 * {@link #offer}/{@link #poll} never block; {@link #put} waits (spin, then park) while the queue is full, which
 * is how backpressure travels upstream to the source. Holding at most {@code capacity} items, and at most
 * {@code maxBytes} of them, is what bounds memory.
 */
final class Channel {

    private final String name;
    private final Object[] buffer;
    private final int capacity;
    /**
     * Free slots a producer that found the queue full waits for before it goes on. Waiting for one slot only makes
     * producer and consumer wake each other for every item under backpressure (a park/unpark pair per record, on
     * the same cores the bottleneck needs); a quarter of the queue amortises that. An idle or keeping-up
     * pipeline never fills a queue, so this adds no latency there.
     */
    private final int resumeRoom;
    private final AtomicLong head = new AtomicLong(); // next slot to read; written by the consumer
    private final AtomicLong tail = new AtomicLong(); // next slot to write; written by the producer
    private final Parker producer;
    private final Parker consumer;
    private long cachedHead; // producer's last view of head, to avoid reading the consumer's cache line each time
    /**
     * The byte bound: items are also refused while those waiting hold {@code maxBytes} (see
     * {@link io.tideline.api.ChangeEvent#approxBytes()}), except into an empty queue, so one change larger than the
     * bound still passes. Counts alone would let 4096 rows of 1 MB wait in one queue.
     */
    private final long maxBytes;
    private final long[] sizes;
    private final AtomicLong bytesIn = new AtomicLong();   // written by the producer
    private final AtomicLong bytesOut = new AtomicLong();  // written by the consumer

    Channel(String name, int capacity, Parker producer, Parker consumer) {
        this(name, capacity, Long.MAX_VALUE, producer, consumer);
    }

    Channel(String name, int capacity, long maxBytes, Parker producer, Parker consumer) {
        if (capacity < 1) {
            throw new IllegalArgumentException("Cannot create queue " + name + ": capacity must be at least 1, got "
                    + capacity + ". Set tideline.runtime.queue.capacity to e.g. 4096.");
        }
        this.name = name;
        this.capacity = capacity;
        this.resumeRoom = Math.max(1, capacity / 4);
        this.buffer = new Object[capacity];
        this.maxBytes = maxBytes;
        this.sizes = new long[capacity];
        this.producer = producer;
        this.consumer = consumer;
    }

    String name() {
        return name;
    }

    int capacity() {
        return capacity;
    }

    /** Items waiting; never more than {@link #capacity()}. Safe from any thread (approximate while both move). */
    int depth() {
        long h = head.get();
        long t = tail.get();
        return (int) Math.max(0, Math.min(capacity, t - h));
    }

    /** Bytes held by the items waiting. Safe from any thread (approximate while both move). */
    long bytes() {
        return Math.max(0, bytesIn.get() - bytesOut.get());
    }

    /** Producer side: adds the item unless the queue is full. */
    boolean offer(Object item) {
        long t = tail.get();
        if (t - cachedHead >= capacity) {
            cachedHead = head.get();
            if (t - cachedHead >= capacity) return false;
        }
        long size = sizeOf(item);
        if (size > 0 && bytes() + size > maxBytes && t > head.get()) return false;
        int i = (int) (t % capacity);
        buffer[i] = item;
        sizes[i] = size;
        bytesIn.lazySet(bytesIn.get() + size);
        tail.lazySet(t + 1);
        consumer.wake();
        return true;
    }

    /** Producer side: adds the item, waiting while full; false when {@code abort} turned true first. */
    boolean put(Object item, BooleanSupplier abort) {
        if (offer(item)) return true;
        long size = sizeOf(item);
        BooleanSupplier room = () -> hasRoomFor(size);
        int round = 0;
        while (!room.getAsBoolean()) {
            if (abort.getAsBoolean()) return false;
            producer.idle(round++, room);
        }
        if (!offer(item)) throw new IllegalStateException("Cannot put into queue " + name + ": it has room but"
                + " refused the item. More than one thread is producing into it; it allows one.");
        return true;
    }

    /** An unbounded queue (the runtime's tests and benchmarks) does not walk the rows to size them. */
    private long sizeOf(Object item) {
        return maxBytes != Long.MAX_VALUE && item instanceof Envelope e ? e.event().approxBytes() : 0;
    }

    /** Resume room, and room for this item's bytes (or an empty queue, which takes an item of any size). */
    private boolean hasRoomFor(long size) {
        return hasResumeRoom() && (tail.get() == head.get() || bytes() + size <= maxBytes);
    }

    private boolean hasResumeRoom() {
        long waiting = tail.get() - head.get();
        return capacity - waiting >= resumeRoom && (waiting == 0 || maxBytes - bytes() >= maxBytes / 4);
    }

    /** Consumer side: the next item, or null when empty. */
    Object poll() {
        long h = head.get();
        if (h >= tail.get()) return null;
        int i = (int) (h % capacity);
        Object item = buffer[i];
        buffer[i] = null;
        bytesOut.lazySet(bytesOut.get() + sizes[i]);
        head.lazySet(h + 1);
        if (hasResumeRoom()) producer.wake();
        return item;
    }

    /** Consumer side: the next item without taking it, or null when empty. */
    Object peek() {
        long h = head.get();
        if (h >= tail.get()) return null;
        return buffer[(int) (h % capacity)];
    }

    boolean isEmpty() {
        return head.get() >= tail.get();
    }
}
