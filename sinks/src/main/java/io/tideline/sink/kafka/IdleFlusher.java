package io.tideline.sink.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Flushes a writer's producer on a thread of its own when the writer asks: the writer asks when its input runs dry
 * and goes on at once, so lingering batches leave without delay, while a partition whose leader does not answer
 * holds up only this thread, never the writer's other partitions. A flush asked for during a flush runs after it.
 */
final class IdleFlusher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IdleFlusher.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final Supplier<Producer<byte[], byte[]>> producer;
    private final AtomicBoolean requested = new AtomicBoolean();
    private final Thread thread;
    private volatile boolean closed;

    IdleFlusher(String name, Supplier<Producer<byte[], byte[]>> producer) {
        this.producer = producer;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks for a flush of whatever the producer holds now; returns at once. */
    void request() {
        if (requested.compareAndSet(false, true)) LockSupport.unpark(thread);
    }

    private void run() {
        while (!closed) {
            if (!requested.getAndSet(false)) {
                LockSupport.park(this);
                continue;
            }
            try {
                producer.get().flush();
            } catch (RuntimeException e) {
                // A failed send reaches the writer through its callback; a producer closed meanwhile holds nothing.
                LOG.debug("Idle flush ended early: {}", e.toString());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        LockSupport.unpark(thread);
        thread.join(JOIN_TIMEOUT.toMillis());
        if (thread.isAlive()) {
            thread.interrupt();
            thread.join(JOIN_TIMEOUT.toMillis());
        }
    }
}
