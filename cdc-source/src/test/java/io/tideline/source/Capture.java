package io.tideline.source;

import io.tideline.api.ChangeEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs a source on its own thread and collects what it delivers; for tests. */
final class Capture implements AutoCloseable {

    final DebeziumChangeSource source;
    private final BlockingQueue<ChangeEvent> events = new LinkedBlockingQueue<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    Capture(DebeziumChangeSource source) {
        this.source = source;
        this.thread = new Thread(() -> {
            try {
                source.run(e -> {
                    events.put(e);
                    // as a runtime whose every transaction is an epoch: any transaction end may be acknowledged
                    if (e.lastInTransaction()) source.epochCut(e.position());
                });
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "capture");
        thread.start();
    }

    /** Exactly the next {@code n} events, failing when they do not come within {@code timeout}. */
    List<ChangeEvent> take(int n, Duration timeout) throws InterruptedException {
        List<ChangeEvent> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            ChangeEvent e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                fail("Expected " + n + " events within " + timeout + ", got " + out.size() + ": " + out
                        + (failure.get() == null ? "" : "; source failed: " + failure.get()));
            }
            out.add(e);
        }
        return out;
    }

    /** The next event, or null when none arrives within {@code millis}; fails when the source failed. */
    ChangeEvent poll(long millis) throws InterruptedException {
        ChangeEvent e = events.poll(millis, TimeUnit.MILLISECONDS);
        if (e == null && failure.get() != null) throw new AssertionError("The source failed", failure.get());
        return e;
    }

    /** Asserts that nothing more arrives within {@code quiet}. */
    void assertNothingMore(Duration quiet) throws InterruptedException {
        ChangeEvent e = events.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
        assertNull(e, "unexpected extra event");
    }

    /** Waits for run() to end on its own and returns what it threw. */
    Throwable awaitFailure(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            fail("The source kept running for " + timeout + " although it should have failed");
        }
        return failure.get();
    }

    @Override
    public void close() throws Exception {
        source.close();
        thread.join(30_000);
        if (thread.isAlive()) {
            fail("The source did not stop within 30 s of close()");
        }
        if (failure.get() != null) {
            throw new AssertionError("The source failed", failure.get());
        }
    }
}
