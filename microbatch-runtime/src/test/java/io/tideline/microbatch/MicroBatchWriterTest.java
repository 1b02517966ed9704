package io.tideline.microbatch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Unchanged;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.tideline.microbatch.TestRows.change;
import static io.tideline.microbatch.TestRows.value;
import static org.junit.jupiter.api.Assertions.*;

class MicroBatchWriterTest {

    private static final BatchTrigger NEVER = new BatchTrigger(Duration.ofHours(1), 1_000_000);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private MicroBatchWriter writer(RecordingBatchSink sink, BatchTrigger trigger) throws Exception {
        return MicroBatchWriter.open(sink, 0, 1, trigger, registry);
    }

    private static List<Long> lsns(List<ChangeEvent> events) {
        return events.stream().map(e -> e.position().commitLsn()).toList();
    }

    @Test
    void keepLastCollapsesEachKeyToItsLastChangeInSourceOrder() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(true);
        try (MicroBatchWriter w = writer(sink, NEVER)) {
            w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
            w.write(change(Op.CREATE, 2, "b", 1, 11), 1);
            w.write(change(Op.UPDATE, 1, "a2", 2, 12), 1);
            w.write(change(Op.CREATE, 3, "c", 1, 13), 1);
            w.write(change(Op.UPDATE, 2, "b2", 2, 14), 1);
            assertEquals(new Position(14, 0), w.prepare(1));
        }
        assertEquals(1, sink.batches.size());
        List<ChangeEvent> batch = sink.batches.get(0);
        assertEquals(List.of(12L, 13L, 14L), lsns(batch), "one change per key, ordered by the position of the last change");
        assertEquals(value(1, "a2", 2), batch.get(0).after());
        assertEquals(value(2, "b2", 2), batch.get(2).after());
    }

    @Test
    void collapsedUnchangedValueIsFilledFromTheEarlierImage() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(true);
        try (MicroBatchWriter w = writer(sink, NEVER)) {
            w.write(change(Op.CREATE, 1, "large toasted text", 1, 10), 1);
            w.write(change(Op.UPDATE, 1, Unchanged.VALUE, 2, 11), 1);
            w.write(change(Op.UPDATE, 1, Unchanged.VALUE, 3, 12), 1);
            w.write(change(Op.UPDATE, 2, Unchanged.VALUE, 1, 13), 1); // nothing earlier in the batch: stays unchanged
            w.prepare(1);
        }
        List<ChangeEvent> batch = sink.batches.get(0);
        assertEquals(value(1, "large toasted text", 3), batch.get(0).after());
        assertEquals(Op.UPDATE, batch.get(0).op());
        assertSame(Unchanged.VALUE, batch.get(1).after().get("body"));
    }

    @Test
    void deleteReplacesEarlierChangesAndALaterInsertReplacesTheDelete() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(true);
        try (MicroBatchWriter w = writer(sink, NEVER)) {
            w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
            w.write(change(Op.UPDATE, 1, "b", 2, 11), 1);
            w.write(change(Op.DELETE, 1, null, null, 12), 1);
            w.write(change(Op.CREATE, 2, "x", 1, 13), 1);
            w.write(change(Op.DELETE, 2, null, null, 14), 1);
            w.write(change(Op.CREATE, 2, "y", 5, 15), 1);
            w.prepare(1);
        }
        List<ChangeEvent> batch = sink.batches.get(0);
        assertEquals(List.of(12L, 15L), lsns(batch));
        assertEquals(Op.DELETE, batch.get(0).op());
        assertEquals(value(2, "y", 5), batch.get(1).after());
    }

    @Test
    void appendSinkGetsEveryChangeInOrder() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(false);
        try (MicroBatchWriter w = writer(sink, NEVER)) {
            w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
            w.write(change(Op.UPDATE, 1, Unchanged.VALUE, 2, 11), 1);
            w.write(change(Op.DELETE, 1, null, null, 12), 1);
            w.prepare(1);
        }
        List<ChangeEvent> batch = sink.batches.get(0);
        assertEquals(List.of(10L, 11L, 12L), lsns(batch));
        assertSame(Unchanged.VALUE, batch.get(1).after().get("body"), "append mode never invents values");
    }

    @Test
    void truncateStopsCollapsingAcrossIt() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(true);
        try (MicroBatchWriter w = writer(sink, NEVER)) {
            w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
            w.write(new ChangeEvent(TestRows.T, Op.TRUNCATE, null, null, null, null, new Position(11, 0), 11, true), 1);
            w.write(change(Op.CREATE, 1, "b", 1, 12), 1);
            w.prepare(1);
        }
        assertEquals(List.of(10L, 11L, 12L), lsns(sink.batches.get(0)));
    }

    @Test
    void batchCommitsWhenItsOldestChangeReachesTheInterval() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(false);
        try (MicroBatchWriter w = writer(sink, new BatchTrigger(Duration.ofMillis(150), 1_000_000))) {
            long start = System.nanoTime();
            w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
            w.write(change(Op.CREATE, 2, "a", 1, 11), 1);
            // no sleep: a batch seen this early (however slow the box) would have come before the interval
            if ((System.nanoTime() - start) / 1_000_000 < 150) assertTrue(sink.batches.isEmpty(), "not before the interval");
            long deadline = System.currentTimeMillis() + 5_000;
            while (sink.batches.isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(5);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1, sink.batches.size());
            assertEquals(2, sink.batches.get(0).size());
            assertTrue(tookMs >= 150, "committed after " + tookMs + " ms");
            assertTrue(sink.threads.stream().allMatch(t -> t.startsWith("tideline-microbatch-")),
                    "the underlying writer is used from the committer thread only");
        }
    }

    @Test
    void timeTriggerFiresWhenTheCommitterWasAlreadyWaitingOnAnEmptyBatch() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(false);
        try (MicroBatchWriter w = writer(sink, new BatchTrigger(Duration.ofMillis(50), 1_000_000))) {
            Thread.sleep(200); // the committer is idle, waiting for a first change
            w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
            long deadline = System.currentTimeMillis() + 5_000;
            while (sink.batches.isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(5);
            assertEquals(1, sink.batches.size());
        }
    }

    @Test
    void batchCommitsEarlyWhenItReachesMaxRows() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(false);
        try (MicroBatchWriter w = writer(sink, new BatchTrigger(Duration.ofHours(1), 5))) {
            for (int i = 0; i < 12; i++) w.write(change(Op.CREATE, i, "a", 1, 10 + i), 1);
            long deadline = System.currentTimeMillis() + 5_000;
            while (sink.batches.size() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(5);
            assertEquals(2, sink.batches.size());
            assertEquals(5, sink.batches.get(0).size());
            assertEquals(5, sink.batches.get(1).size());
            assertEquals(new Position(21, 0), w.prepare(1));
            assertEquals(3, sink.batches.size());
            assertEquals(List.of(20L, 21L), lsns(sink.batches.get(2)));
        }
        assertEquals(3.0, registry.get("tideline.microbatch.batches").counter().count());
        assertEquals(12.0, registry.get("tideline.microbatch.batch.size").summary().totalAmount());
        assertEquals(3, registry.get("tideline.microbatch.commit.duration").timer().count());
    }

    @Test
    void prepareAtBarrierCommitsEverythingBeforeItAndReturnsTheSinksPosition() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(true);
        sink.commitDelayMs = 20;
        try (MicroBatchWriter w = writer(sink, new BatchTrigger(Duration.ofHours(1), 3))) {
            for (int i = 0; i < 10; i++) w.write(change(Op.CREATE, i % 4, "a", i, 100 + i), 7);
            Position p = w.prepare(7);
            assertEquals(new Position(109, 0), p);
            int total = sink.batches.stream().mapToInt(List::size).sum();
            assertEquals(10, total, "every change before the barrier is committed (batches of 3 rows cannot collapse across)");
            assertTrue(sink.prepareEpochs.stream().allMatch(e -> e == 7));
            // an empty epoch reports the same durable position without another commit
            int prepares = sink.prepareEpochs.size();
            assertEquals(p, w.prepare(8));
            assertEquals(prepares, sink.prepareEpochs.size());
        }
    }

    @Test
    void firstBarrierAsksTheSinkEvenWithoutChanges() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(true);
        try (MicroBatchWriter w = writer(sink, NEVER)) {
            assertNull(w.prepare(1));
            assertEquals(List.of(1L), sink.prepareEpochs);
        }
    }

    @Test
    void failedUnderlyingCommitFailsTheEpoch() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(false);
        sink.failNextPrepare = new IllegalStateException("commit rejected");
        MicroBatchWriter w = writer(sink, NEVER);
        w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
        Exception e = assertThrows(Exception.class, () -> w.prepare(1));
        assertTrue(e.getMessage().startsWith("Cannot commit micro-batch to sink 'recording': commit rejected"), e.getMessage());
        assertThrows(Exception.class, () -> w.write(change(Op.CREATE, 2, "a", 1, 11), 1), "the writer stays failed");
        w.close();
        assertTrue(sink.closed);
        assertTrue(sink.batches.isEmpty());
    }

    @Test
    void failedTimeTriggeredCommitSurfacesOnTheNextWrite() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(false);
        sink.failNextPrepare = new IllegalStateException("disk full");
        try (MicroBatchWriter w = writer(sink, new BatchTrigger(Duration.ofMillis(20), 1000))) {
            w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
            long deadline = System.currentTimeMillis() + 5_000;
            Exception failure = null;
            while (failure == null && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
                try {
                    w.write(change(Op.CREATE, 2, "a", 1, 11), 1);
                } catch (Exception e) {
                    failure = e;
                }
            }
            assertNotNull(failure);
            assertTrue(failure.getMessage().contains("disk full"), failure.getMessage());
        }
    }

    @Test
    void writerWaitsOnlyWhenTheNextBatchIsFullWhileOneCommits() throws Exception {
        RecordingBatchSink sink = new RecordingBatchSink(false);
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        sink.commitGate = gate;
        try (MicroBatchWriter w = writer(sink, new BatchTrigger(Duration.ofHours(1), 2))) {
            w.write(change(Op.CREATE, 1, "a", 1, 10), 1);
            w.write(change(Op.CREATE, 2, "a", 1, 11), 1); // batch 1 full: handed to the committer
            assertTrue(sink.committing.await(30, java.util.concurrent.TimeUnit.SECONDS), "batch 1 is committing");
            w.write(change(Op.CREATE, 3, "a", 1, 12), 1); // returned while batch 1 is held: filling does not wait
            java.util.concurrent.CompletableFuture<Void> fourth = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    w.write(change(Op.CREATE, 4, "a", 1, 13), 1); // batch 2 full while batch 1 commits: waits
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            // state, not time: the fourth write is parked while the commit is held
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (!fourth.isDone() && System.nanoTime() < deadline && !parkedInWriter()) Thread.sleep(5);
            assertFalse(fourth.isDone(), "a second full batch waits for the committing one");
            gate.countDown();
            fourth.get(30, java.util.concurrent.TimeUnit.SECONDS);
            w.prepare(1);
            assertEquals(2, sink.batches.size());
        }
    }

    /** Whether some thread is parked inside MicroBatchWriter.write. */
    private static boolean parkedInWriter() {
        for (var e : Thread.getAllStackTraces().entrySet()) {
            Thread.State st = e.getKey().getState();
            if (st != Thread.State.WAITING && st != Thread.State.TIMED_WAITING) continue;
            for (StackTraceElement f : e.getValue()) {
                if (f.getClassName().equals(MicroBatchWriter.class.getName()) && f.getMethodName().equals("write")) return true;
            }
        }
        return false;
    }
}
