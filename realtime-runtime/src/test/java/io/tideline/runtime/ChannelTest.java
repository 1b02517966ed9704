package io.tideline.runtime;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class ChannelTest {

    @Test
    void offerFailsWhenFullAndPollIsFifo() {
        Channel c = new Channel("q", 3, new Parker(), new Parker());
        assertTrue(c.offer(1));
        assertTrue(c.offer(2));
        assertTrue(c.offer(3));
        assertFalse(c.offer(4));
        assertEquals(3, c.depth());
        assertEquals(1, c.poll());
        assertTrue(c.offer(4));
        assertEquals(2, c.poll());
        assertEquals(3, c.poll());
        assertEquals(4, c.poll());
        assertNull(c.poll());
        assertTrue(c.isEmpty());
    }

    @Test
    void itemsCrossThreadsInOrderAndDepthNeverExceedsCapacity() throws Exception {
        Parker producer = new Parker();
        Parker consumer = new Parker();
        Channel c = new Channel("q", 5, producer, consumer);
        int n = 500_000;
        AtomicReference<Throwable> error = new AtomicReference<>();
        AtomicInteger maxDepth = new AtomicInteger();
        Thread t = new Thread(() -> {
            consumer.bindToCurrentThread();
            int expected = 0;
            int idle = 0;
            while (expected < n) {
                maxDepth.accumulateAndGet(c.depth(), Math::max);
                Object o = c.poll();
                if (o == null) {
                    consumer.idle(idle++, () -> !c.isEmpty());
                    continue;
                }
                idle = 0;
                if ((Integer) o != expected) {
                    error.set(new AssertionError("got " + o + ", expected " + expected));
                    return;
                }
                expected++;
            }
        });
        t.setDaemon(true);
        t.start();
        producer.bindToCurrentThread();
        // a consumer that died on an ordering bug stops taking: put then gives up (abort) instead of blocking for ever
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < n; i++) {
            boolean put = c.put(i, () -> !t.isAlive() || System.nanoTime() > deadline);
            if (!put) break;
        }
        t.join(20_000);
        assertFalse(t.isAlive());
        assertNull(error.get());
        assertTrue(maxDepth.get() <= 5);
    }

    @Test
    void putGivesUpWhenAborted() {
        Channel c = new Channel("q", 1, new Parker(), new Parker());
        assertTrue(c.put("a", () -> false));
        assertFalse(c.put("b", () -> true));
    }

    @Test
    void capacityBelowOneIsRefusedNamingTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Channel("q", 0, new Parker(), new Parker()));
        assertTrue(e.getMessage().contains("tideline.runtime.queue.capacity"));
    }

    private static Envelope wide(int bytes, long lsn) {
        io.tideline.api.FieldType value = io.tideline.api.FieldType.struct("t.Value", true,
                java.util.List.of(new io.tideline.api.Field("payload", io.tideline.api.FieldType.of(io.tideline.api.FieldType.Kind.STRING, true))));
        io.tideline.api.Row row = new io.tideline.api.Row(value, new Object[] {"x".repeat(bytes)});
        return new Envelope(new io.tideline.api.ChangeEvent(new io.tideline.api.TableId("public", "t"), io.tideline.api.Op.CREATE,
                null, null, row, null, new io.tideline.api.Position(lsn, 0), 0, true), 1, 0);
    }

    @Test
    void wideChangesAreBoundedInBytesWhileOneLargerThanTheBoundStillPasses() {
        Channel c = new Channel("q", 1000, 3 << 20, new Parker(), new Parker());
        assertTrue(c.offer(wide(1 << 20, 1)));
        assertTrue(c.offer(wide(1 << 20, 2)));
        assertFalse(c.offer(wide(1 << 20, 3)), "a third 1 MB change would hold more than 3 MB");
        assertTrue(c.bytes() >= 2 << 20 && c.bytes() < 3 << 20, "bytes " + c.bytes());
        assertTrue(c.offer(new Barrier(1, null, 0)), "a barrier holds no bytes");
        c.poll();
        assertTrue(c.offer(wide(1 << 20, 3)), "room again once the consumer took one");
        while (c.poll() != null) { }
        assertEquals(0, c.bytes());
        assertTrue(c.offer(wide(5 << 20, 4)), "a change larger than the bound enters an empty queue");
        assertFalse(c.offer(wide(10, 5)), "and nothing follows it until it is taken");
    }

    @Test
    void putWaitsForRoomForItsOwnBytesNotOnlyForAQuarterOfTheQueue() throws Exception {
        Channel c = new Channel("q", 1000, 4 << 20, new Parker(), new Parker());
        assertTrue(c.offer(wide(1 << 20, 1)));
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                c.put(wide(6 << 20, 2), () -> false);   // larger than the whole bound: waits for an empty queue
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        producer.start();
        Thread.sleep(200);
        assertTrue(producer.isAlive(), "the large change waits while 1 MB is queued");
        assertTrue(c.poll() instanceof Envelope);
        producer.join(10_000);
        assertFalse(producer.isAlive(), "it enters once the queue is empty");
        assertEquals(null, failed.get());
        assertEquals(6L << 20, c.bytes(), 1 << 12);
    }
}
