package io.tideline.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.idempotency.EpochLedger;
import io.tideline.idempotency.EpochRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

class EpochRuntimeTest {

    @TempDir
    Path stateDir;
    private EpochLedger ledger;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void closeLedger() throws Exception {
        if (ledger != null) ledger.close();
    }

    /** An operator that keeps every change: the pipeline then has its operator stage and merging writers. */
    private static final Operators KEEP_ALL = Operators.fromProperties(Map.of("public.t.filter", "id >= 0"));

    private EpochRuntime.Builder runtime(ReplayableSource source, Sink... sinks) throws Exception {
        if (ledger == null) ledger = EpochLedger.open(stateDir);
        EpochRuntime.Builder b = EpochRuntime.builder().source(source).ledger(ledger).epochDuration(Duration.ofMillis(5))
                .parallelism(2).queueCapacity(64).meterRegistry(registry)
                .restartBackoff(Duration.ofMillis(5), Duration.ofMillis(20)).shutdownTimeout(Duration.ofSeconds(10));
        for (Sink s : sinks) b.sink(s);
        return b;
    }

    /** Runs to completion (the finite source ends) within the timeout, rethrowing what run() threw. */
    private static void runToEnd(EpochRuntime rt) throws Throwable {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                rt.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        t.join(30_000);
        if (t.isAlive()) {
            rt.stop();
            t.join(10_000);
            fail("runtime did not finish within 30 s");
        }
        if (thrown.get() != null) throw thrown.get();
    }

    private static Thread runInBackground(EpochRuntime rt, AtomicReference<Throwable> thrown) {
        Thread t = new Thread(() -> {
            try {
                rt.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        return t;
    }

    private static void awaitFirstAcknowledgement(ReplayableSource source) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (source.acked() == null && System.currentTimeMillis() < deadline) Thread.sleep(5);
        Thread.sleep(100);
    }

    /** Every change durable exactly once, and per key in source order. */
    private static void assertExactlyOnceInKeyOrder(List<List<ChangeEvent>> txs, RecordingSink sink) {
        List<Position> expected = txs.stream().flatMap(List::stream).map(ChangeEvent::position).sorted().toList();
        List<Position> got = sink.durablePositions();
        assertEquals(new HashSet<>(got).size(), got.size(), sink.name() + ": a change was made durable twice");
        assertEquals(expected, got.stream().sorted().toList(), sink.name() + ": a change was lost");
        Map<Object, Position> lastPerKey = new HashMap<>();
        for (RecordingSink.Durable d : sink.durable()) {
            Position before = lastPerKey.put(d.event().key(), d.event().position());
            if (before != null) {
                assertTrue(d.event().position().isAfter(before), sink.name() + ": key " + d.event().key()
                        + " got " + d.event().position() + " after " + before);
            }
        }
        assertEquals(List.of(), sink.violations);
    }

    @Test
    void perKeyOrderHoldsUnderParallelismWithRandomKeys() throws Throwable {
        for (long seed = 1; seed <= 25; seed++) {
            Random r = new Random(seed);
            List<List<ChangeEvent>> txs = TestEvents.random(seed, 400, 6, 1 + r.nextInt(40));
            ReplayableSource source = new ReplayableSource(txs);
            RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
            if (ledger != null) ledger.close();
            ledger = EpochLedger.open(stateDir.resolve("seed-" + seed));
            // odd seeds: no operators, so the source feeds the writers directly; even seeds: operator stage + merge
            EpochRuntime rt = runtime(source, sink).parallelism(2 + r.nextInt(3)).queueCapacity(1 + r.nextInt(32))
                    .operators(seed % 2 == 0 ? KEEP_ALL : Operators.none()).build();
            runToEnd(rt);
            try {
                assertExactlyOnceInKeyOrder(txs, sink);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + " (" + (seed % 2 == 0 ? "operators and merge" : "direct") + ", "
                        + source.runs.get() + " run(s) of the source): " + e.getMessage(), e);
            }
            Position last = txs.get(txs.size() - 1).get(txs.get(txs.size() - 1).size() - 1).position();
            assertEquals(last, rt.lastCommitted().orElseThrow(), "seed " + seed + ": the last epoch committed at the end");
            assertEquals(last, source.acked());
        }
    }

    @Test
    void eachWriterSeesItsPartitionsInPositionOrderEvenWithTinyQueues() throws Throwable {
        // RecordingSink partitions unlike the first shuffle, so every writer merges all operator workers' output;
        // queues of 1-2 items make every worker block on every other one: a merge that could deadlock would here.
        for (long seed = 100; seed < 112; seed++) {
            Random r = new Random(seed);
            List<List<ChangeEvent>> txs = TestEvents.random(seed, 300, 5, 1 + r.nextInt(60));
            ReplayableSource source = new ReplayableSource(txs);
            RecordingSink a = new RecordingSink("a", Sink.Capability.RECORD_AT_A_TIME);
            RecordingSink b = new RecordingSink("b", Sink.Capability.RECORD_AT_A_TIME);
            if (ledger != null) ledger.close();
            ledger = EpochLedger.open(stateDir.resolve("tiny-" + seed));
            runToEnd(runtime(source, a, b).parallelism(2 + r.nextInt(3)).queueCapacity(1 + r.nextInt(2))
                    .epochDuration(Duration.ofMillis(1 + r.nextInt(5))).operators(KEEP_ALL).build());
            assertExactlyOnceInKeyOrder(txs, a); // includes: no writer saw a position after a later one
            assertExactlyOnceInKeyOrder(txs, b);
        }
    }

    @Test
    void barriersAreAlignedSoNoChangeOfALaterEpochIsDurableInAnEarlierOne() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(7, 3_000, 4, 30);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 50;
        source.pauseNanos = 2_000_000;
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        runToEnd(runtime(source, sink).parallelism(3).epochDuration(Duration.ofMillis(2)).build());
        Set<Long> epochs = new HashSet<>();
        for (RecordingSink.Durable d : sink.durable()) {
            assertEquals(d.writtenEpoch(), d.preparedEpoch(), "change at " + d.event().position()
                    + " of epoch " + d.writtenEpoch() + " was reported durable by prepare(" + d.preparedEpoch() + ")");
            epochs.add(d.writtenEpoch());
        }
        assertTrue(epochs.size() > 5, "the test must span many epochs, spanned " + epochs.size());
        // the ledger's end of epoch N is after every change of N and before every change of N+1
        for (EpochRecord rec : ledger.history()) {
            for (RecordingSink.Durable d : sink.durable()) {
                if (d.writtenEpoch() <= rec.epoch()) assertTrue(d.event().position().isAtOrBefore(rec.end()));
                else assertTrue(d.event().position().isAfter(rec.end()));
            }
        }
        assertExactlyOnceInKeyOrder(txs, sink);
    }

    @Test
    void aBarrierNeverSplitsATransaction() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(11, 2_000, 12, 20);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 20;
        source.pauseNanos = 1_000_000;
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        runToEnd(runtime(source, sink).epochDuration(Duration.ofMillis(1)).build());
        Map<Long, Set<Long>> epochsPerTx = new HashMap<>();
        for (RecordingSink.Durable d : sink.durable()) {
            epochsPerTx.computeIfAbsent(d.event().position().commitLsn(), k -> new HashSet<>()).add(d.writtenEpoch());
        }
        epochsPerTx.forEach((lsn, epochs) -> assertEquals(1, epochs.size(), "transaction " + lsn + " spans epochs " + epochs));
        Set<Long> distinct = new HashSet<>();
        epochsPerTx.values().forEach(distinct::addAll);
        assertTrue(distinct.size() > 10, "many epochs, got " + distinct.size());
        Set<Position> txEnds = new HashSet<>();
        txs.forEach(tx -> txEnds.add(tx.get(tx.size() - 1).position()));
        for (EpochRecord rec : ledger.history()) assertTrue(txEnds.contains(rec.end()), "ledger end " + rec.end() + " is not a transaction end");
        for (Position ack : source.acknowledged) assertTrue(txEnds.contains(ack), "acknowledged " + ack + " inside a transaction");
    }

    @Test
    void everyAcknowledgedPositionIsAnEpochCutTheSourceWasToldOfFirst() throws Throwable {
        // the source keeps one acknowledgement point per cut (not per transaction), so the runtime must announce each
        // epoch end before it can acknowledge it, with operator stage and without, under a timer that cuts too
        for (boolean operators : new boolean[] {false, true}) {
            List<List<ChangeEvent>> txs = TestEvents.random(operators ? 13 : 14, 3_000, 6, 20);
            ReplayableSource source = new ReplayableSource(txs);
            source.pauseEveryTx = 50;
            source.pauseNanos = 2_000_000;
            RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
            if (ledger != null) ledger.close();
            ledger = EpochLedger.open(stateDir.resolve("operators-" + operators));
            EpochRuntime.Builder b = runtime(source, sink).epochDuration(Duration.ofMillis(1));
            if (operators) b.operators(KEEP_ALL);
            runToEnd(b.build());
            assertTrue(source.acknowledged.size() > 10, "many acknowledgements, got " + source.acknowledged.size());
            assertEquals(List.of(), source.violations);
        }
    }

    @Test
    void aWriterIsToldWhenItsInputRunsDryLongBeforeTheEpochEnds() throws Throwable {
        // the Kafka writer lingers to fill batches and flushes on this signal: a lone change must not wait for a barrier
        for (boolean operators : new boolean[]{false, true}) {
            List<List<ChangeEvent>> txs = TestEvents.random(13, 5, 3, 5);
            ReplayableSource source = new ReplayableSource(txs);
            source.endless = true; // delivers 5 transactions, then idles until closed
            RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
            EpochRuntime.Builder b = runtime(source, sink).epochDuration(Duration.ofMinutes(10));
            if (operators) b.operators(KEEP_ALL);
            EpochRuntime rt = b.build();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = runInBackground(rt, thrown);
            Set<Position> written = txs.stream().flatMap(List::stream).map(ChangeEvent::position).collect(Collectors.toSet());
            long deadline = System.currentTimeMillis() + 10_000;
            while (!sink.pendingAtIdle.containsAll(written) && System.currentTimeMillis() < deadline) Thread.sleep(5);
            Position ackedWhileIdle = source.acked();
            rt.stop();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertNull(thrown.get());
            assertEquals(written, Set.copyOf(sink.pendingAtIdle), "operators " + operators
                    + ": every change was written and followed by an idle signal, with no barrier in between");
            assertNull(ackedWhileIdle, "no epoch ended while the writers idled");
        }
    }

    @Test
    void anIdleStreamStillClosesAndCommitsItsEpoch() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(3, 5, 3, 5);
        ReplayableSource source = new ReplayableSource(txs);
        source.endless = true; // delivers 5 transactions, then idles until closed
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        EpochRuntime rt = runtime(source, sink).epochDuration(Duration.ofMillis(50)).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = runInBackground(rt, thrown);
        Position last = txs.get(4).get(txs.get(4).size() - 1).position();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!last.equals(source.acked()) && System.currentTimeMillis() < deadline) Thread.sleep(5);
        assertEquals(last, source.acked(), "the timer closed the epoch of an idle stream");
        double committedBefore = registry.get("tideline.runtime.epochs.committed").counter().count();
        int ledgerEntries = ledger.history().size();
        int acks = source.acknowledged.size();
        Thread.sleep(300);
        assertTrue(registry.get("tideline.runtime.epochs.committed").counter().count() > committedBefore,
                "empty epochs keep advancing");
        assertEquals(ledgerEntries, ledger.history().size(), "an empty epoch does not rewrite the ledger");
        rt.stop();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertNull(thrown.get());
        assertEquals(acks, source.acknowledged.size(), "an empty epoch acknowledges nothing");
    }

    @Test
    void aSinkFailureInPrepareFailsTheEpochAndTheRestartLosesNothing() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(5, 3_000, 5, 50);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 100;
        source.pauseNanos = 3_000_000;
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        RecordingSink other = new RecordingSink("other", Sink.Capability.RECORD_AT_A_TIME);
        sink.failPrepareAtEpoch = 4;
        sink.failPrepareTimes = 2; // fails twice in a row: two restarts
        // the slot must never pass a change that a sink has not made durable
        source.onAcknowledge = ack -> {
            for (RecordingSink s : List.of(sink, other)) {
                Set<Position> held = new HashSet<>(s.durablePositions());
                txs.stream().flatMap(List::stream).map(ChangeEvent::position).filter(p -> p.isAtOrBefore(ack))
                        .filter(p -> !held.contains(p)).findFirst()
                        .ifPresent(p -> source.violations.add(new AssertionError("acknowledged " + ack + " but " + s.name()
                                + " does not hold " + p)));
            }
        };
        runToEnd(runtime(source, sink, other).maxConsecutiveFailures(5).build());
        assertEquals(3, source.runs.get(), "two failed attempts, then one that finished");
        assertEquals(2.0, registry.get("tideline.runtime.restarts").counter().count());
        assertEquals(List.of(), source.violations);
        assertTrue(source.delivered.get() > TestEvents.count(txs), "the failed epochs were replayed");
        assertEquals(sink.opened.get(), sink.closed.get(), "every writer of every attempt was closed");
        assertEquals(6, sink.opened.get());
        assertExactlyOnceInKeyOrder(txs, sink);
        assertExactlyOnceInKeyOrder(txs, other);
        // epochs after the failure got new ids: the ledger never went backwards
        List<EpochRecord> history = ledger.history();
        for (int i = 1; i < history.size(); i++) {
            assertTrue(history.get(i).epoch() > history.get(i - 1).epoch());
            assertFalse(history.get(i).end().compareTo(history.get(i - 1).end()) < 0);
        }
    }

    @Test
    void aFailedAcknowledgementAfterTheLedgerWriteReplaysWithoutLossOrDuplicates() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(37, 2_000, 4, 30);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 100;
        source.pauseNanos = 3_000_000;
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        AtomicInteger acks = new AtomicInteger();
        source.onAcknowledge = ack -> {
            if (acks.incrementAndGet() == 3) throw new IllegalStateException("slot update lost");
        };
        runToEnd(runtime(source, sink).build());
        assertEquals(2, source.runs.get(), "the failed commit failed the attempt once");
        assertExactlyOnceInKeyOrder(txs, sink);
        // acknowledgements never went back after the replay (the source records any that did)
        assertEquals(List.of(), source.violations);
        assertTrue(source.acknowledged.size() >= 3, "acknowledged after the replay: " + source.acknowledged);
    }

    @Test
    void batchOnlySinkFailureIsReplayedThroughTheMicroBatchRuntime() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(9, 2_000, 5, 40);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 100;
        source.pauseNanos = 3_000_000;
        RecordingSink batch = new RecordingSink("batch", Sink.Capability.BATCH_ONLY);
        RecordingSink live = new RecordingSink("live", Sink.Capability.RECORD_AT_A_TIME);
        batch.failPrepareAtEpoch = 3;
        batch.failPrepareTimes = 1;
        runToEnd(runtime(source, batch, live).batchTrigger(Duration.ofMillis(2), 50).build());
        assertEquals(2, source.runs.get());
        assertExactlyOnceInKeyOrder(txs, batch);
        assertExactlyOnceInKeyOrder(txs, live);
        assertTrue(registry.get("tideline.microbatch.batches").counters().isEmpty() == false);
    }

    @Test
    void transientFailuresAreRetriedPastTheMaximumUntilTheOutageEnds() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(5, 300, 3, 10);
        ReplayableSource source = new ReplayableSource(txs);
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        sink.failPrepareAtEpoch = 0;
        sink.failPrepareTimes = 6; // an outage longer than three attempts
        EpochRuntime rt = runtime(source, sink).maxConsecutiveFailures(3).restartBackoff(Duration.ZERO, Duration.ZERO)
                .failureKinds(t -> t.getMessage() != null && t.getMessage().contains("simulated") ? FailureKind.TRANSIENT : FailureKind.UNKNOWN)
                .build();
        AtomicReference<String> seenRecovering = new AtomicReference<>();
        source.onAcknowledge = ack -> rt.recovering().ifPresent(seenRecovering::set);
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> runToEnd(rt));
        assertEquals(7, source.runs.get(), "six failed attempts, then one that got through");
        assertEquals(6.0, registry.get("tideline.runtime.failures").tag("kind", "transient").counter().count());
        assertExactlyOnceInKeyOrder(txs, sink);
        assertTrue(rt.recovering().isEmpty(), "recovered once an epoch committed: " + rt.recovering());
    }

    @Test
    void aPermanentFailureStopsAtOnceNamingTheCause() throws Exception {
        ReplayableSource source = new ReplayableSource(TestEvents.random(2, 200, 3, 10));
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        sink.failEveryPrepare = true;
        EpochRuntime rt = runtime(source, sink).maxConsecutiveFailures(5).failureKinds(t -> FailureKind.PERMANENT).build();
        EpochRuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(EpochRuntimeException.class, rt::run));
        assertEquals(1, source.runs.get(), "no retry of a permanent failure");
        assertTrue(e.getMessage().contains("retrying cannot fix") && e.getMessage().contains("simulated sink failure"), e.getMessage());
    }

    @Test
    void tooManyConsecutiveFailuresStopTheRuntimeWithTheCause() throws Exception {
        ReplayableSource source = new ReplayableSource(TestEvents.random(1, 200, 3, 10));
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        sink.failEveryPrepare = true;
        EpochRuntime rt = runtime(source, sink).maxConsecutiveFailures(3).build();
        // bounded: a broken max-failures rule would restart for ever
        EpochRuntimeException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(EpochRuntimeException.class, rt::run));
        assertTrue(e.getMessage().startsWith("Cannot keep replicating: 3 consecutive attempts failed, the last in sink-rec-"),
                e.getMessage());
        assertTrue(e.getMessage().contains("simulated sink failure"), e.getMessage());
        assertEquals(3, source.runs.get());
        assertTrue(source.acknowledged.isEmpty(), "nothing acknowledged that no sink made durable");
        assertTrue(ledger.lastCommitted().isEmpty());
    }

    @Test
    void backpressureFromAStallingSinkBlocksTheSourceAndBoundsTheQueues() throws Throwable {
        int capacity = 8;
        List<List<ChangeEvent>> txs = TestEvents.random(13, 2_000, 1, 100);
        ReplayableSource source = new ReplayableSource(txs);
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        sink.stallFirstWriteUntil = release;
        EpochRuntime rt = runtime(source, sink).queueCapacity(capacity).epochDuration(Duration.ofMillis(20)).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicInteger maxDepth = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                for (Gauge g : registry.find("tideline.runtime.queue.depth").gauges()) {
                    maxDepth.accumulateAndGet((int) g.value(), Math::max);
                }
                Thread.onSpinWait();
            }
        });
        sampler.setDaemon(true); // never left spinning past the test, whatever fails below
        sampler.start();
        Thread t = null;
        try {
            t = runInBackground(rt, thrown);
            assertTrue(sink.stalling.await(30, TimeUnit.SECONDS), "the sink's first write began");
            long deadlineBlocked = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long delivered = source.delivered.get();
            // the source is blocked once what it delivered stops changing over several looks, with the sink still stalled
            for (int still = 0; still < 20 && System.nanoTime() < deadlineBlocked; ) {
                Thread.sleep(10);
                long now = source.delivered.get();
                still = now == delivered ? still + 1 : 0;
                delivered = now;
            }
            assertEquals(1, release.getCount(), "the sink is still stalled");
            // what got in before the queues filled: the queues (2 x 8 + 2 x 2 x 8) plus what the other writer took
            assertTrue(delivered < 200, "source delivered " + delivered + " of 2000 changes while the sink stalled");
        } finally {
            release.countDown();
            if (t != null) t.join(30_000);
            sampling.set(false);
            sampler.join(5_000);
        }
        assertNull(thrown.get());
        assertTrue(maxDepth.get() <= capacity, "a queue held " + maxDepth.get() + " items");
        assertEquals(capacity, maxDepth.get(), "queues filled up to their capacity");
        assertTrue(registry.get("tideline.runtime.source.blocked").timer().count() > 0, "the source was blocked");
        assertExactlyOnceInKeyOrder(txs, sink);
    }

    @Test
    void changesOfTheNextEpochFlowWhileAnEpochCommits() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(17, 200_000, 2, 100);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 10;
        source.pauseNanos = 200_000;
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        AtomicBoolean sawNextEpochDuringCommit = new AtomicBoolean();
        AtomicInteger acks = new AtomicInteger();
        AtomicLong committedWhileHeld = new AtomicLong(-1);
        source.onAcknowledge = ack -> {
            if (acks.incrementAndGet() != 2) return;
            // the commit of this epoch is in progress (ledger written, acknowledgement not done): does N+1 flow?
            long committing = ledger.lastCommitted().orElseThrow().epoch();
            try {
                holdCommit(committing, sawNextEpochDuringCommit, sink);
            } finally {
                // at most one epoch in flight: nothing else committed while this commit was held
                committedWhileHeld.set(ledger.lastCommitted().orElseThrow().epoch() - committing);
            }
        };
        EpochRuntime rt = runtime(source, sink).epochDuration(Duration.ofMillis(20)).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = runInBackground(rt, thrown);
        long deadline = System.currentTimeMillis() + 10_000;
        while (acks.get() < 4 && System.currentTimeMillis() < deadline) Thread.sleep(5);
        rt.stop();
        t.join(10_000);
        assertNull(thrown.get());
        assertTrue(sawNextEpochDuringCommit.get(), "records of the next epochs reached the sink while an epoch committed");
        assertTrue(registry.get("tideline.runtime.epochs.coalesced").counter().count() >= 1,
                "epochs prepared during the slow commit waited and were covered by the latest one");
        assertEquals(0, committedWhileHeld.get(), "epochs committed while an earlier commit was still in flight");
    }

    /** Holds an epoch's acknowledgement until later epochs were written and prepared (at most 5 s). */
    private void holdCommit(long committing, AtomicBoolean sawNextEpochDuringCommit, RecordingSink sink) {
        long deadline = System.currentTimeMillis() + 5_000;
        while (sink.maxEpochWritten.get() <= committing + 4 && System.currentTimeMillis() < deadline) Thread.onSpinWait();
        sawNextEpochDuringCommit.set(sink.maxEpochWritten.get() > committing);
        // later epochs also got fully prepared meanwhile: they wait for this commit, the latest covering the rest
        while (registry.get("tideline.runtime.epochs.coalesced").counter().count() < 1
                && System.currentTimeMillis() < deadline) Thread.onSpinWait();
    }

    @Test
    void stopAbandonsTheCurrentEpochAndClosesEverything() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(19, 100_000, 3, 100);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 10;
        source.pauseNanos = 500_000;
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        EpochRuntime rt = runtime(source, sink).epochDuration(Duration.ofMillis(30)).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = runInBackground(rt, thrown);
        awaitFirstAcknowledgement(source);
        rt.stop();
        t.join(10_000);
        assertFalse(t.isAlive(), "run() returned after stop()");
        assertNull(thrown.get());
        assertEquals(sink.opened.get(), sink.closed.get());
        Position acked = source.acked();
        assertNotNull(acked);
        assertEquals(acked, rt.lastCommitted().orElseThrow());
        assertEquals(acked, ledger.lastCommitted().orElseThrow().end());
        Set<Position> held = new HashSet<>(sink.durablePositions());
        txs.stream().flatMap(List::stream).map(ChangeEvent::position).filter(p -> p.isAtOrBefore(acked))
                .forEach(p -> assertTrue(held.contains(p), "acknowledged but not durable: " + p));
        assertTrue(source.delivered.get() < TestEvents.count(txs), "stopped before the end");
    }

    @Test
    void aRestartAfterStopResumesFromTheLedger() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(23, 50_000, 3, 100);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 10;
        source.pauseNanos = 500_000;
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        EpochRuntime first = runtime(source, sink).epochDuration(Duration.ofMillis(30)).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = runInBackground(first, thrown);
        awaitFirstAcknowledgement(source);
        first.stop();
        t.join(10_000);
        long firstEpoch = ledger.lastCommitted().orElseThrow().epoch();
        source.pauseEveryTx = 0;
        EpochRuntime second = runtime(source, sink).epochDuration(Duration.ofMillis(30)).build();
        assertEquals(ledger.lastCommitted().orElseThrow().end(), second.lastCommitted().orElseThrow());
        runToEnd(second);
        assertTrue(ledger.history().stream().filter(r -> r.epoch() > firstEpoch).count() >= 1);
        assertExactlyOnceInKeyOrder(txs, sink);
    }

    @Test
    void operatorsRunInThePipelineBeforeTheSinkShuffle() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(29, 500, 3, 20);
        ReplayableSource source = new ReplayableSource(txs);
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        Operators ops = Operators.fromProperties(Map.of("public.t.filter", "id < 10", "public.t.route", "crm.t2",
                "public.t.columns.exclude", "s"));
        runToEnd(runtime(source, sink).operators(ops).build());
        long expected = txs.stream().flatMap(List::stream).filter(e -> (int) e.key().get("id") < 10).count();
        assertEquals(expected, sink.durable().size());
        for (RecordingSink.Durable d : sink.durable()) {
            assertEquals("crm.t2", d.event().table().toString());
            assertFalse(d.event().after().has("s"));
        }
        assertEquals(List.of(), sink.violations, "writers got only their own partitions of the routed table");
    }

    @Test
    void withoutOperatorsTheSourceFeedsTheWritersDirectly() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(41, 1_500, 5, 25);
        ReplayableSource source = new ReplayableSource(txs);
        RecordingSink a = new RecordingSink("a", Sink.Capability.RECORD_AT_A_TIME);
        RecordingSink b = new RecordingSink("b", Sink.Capability.BATCH_ONLY);
        runToEnd(runtime(source, a, b).parallelism(3).queueCapacity(4).epochDuration(Duration.ofMillis(3)).build());
        assertExactlyOnceInKeyOrder(txs, a);
        assertExactlyOnceInKeyOrder(txs, b);
        assertTrue(registry.find("tideline.runtime.records.in").tag("stage", "operator").counters().isEmpty(),
                "no operator stage runs");
        assertEquals(2 * 3, registry.find("tideline.runtime.queue.depth").gauges().size(),
                "one queue from the source to each writer of each sink");
        assertEquals(TestEvents.count(txs), registry.get("tideline.runtime.records.out").tag("stage", "source").counter().count());
    }

    @Test
    void metricsCountRecordsPerStageLatencyAndEpochs() throws Throwable {
        List<List<ChangeEvent>> txs = TestEvents.random(31, 1_000, 3, 20);
        int n = TestEvents.count(txs);
        ReplayableSource source = new ReplayableSource(txs);
        source.pauseEveryTx = 100;
        source.pauseNanos = 10_000_000;
        RecordingSink sink = new RecordingSink("rec", Sink.Capability.RECORD_AT_A_TIME);
        long started = System.nanoTime();
        runToEnd(runtime(source, sink).epochDuration(Duration.ofMillis(20)).operators(KEEP_ALL).build());
        double wallSeconds = (System.nanoTime() - started) / 1e9;
        double operatorIn = registry.find("tideline.runtime.records.in").tag("stage", "operator").counters().stream()
                .mapToDouble(c -> c.count()).sum();
        double sinkIn = registry.find("tideline.runtime.records.in").tag("stage", "sink:rec").counters().stream()
                .mapToDouble(c -> c.count()).sum();
        assertEquals(n, operatorIn);
        assertEquals(n, sinkIn);
        assertEquals(n, registry.get("tideline.runtime.records.out").tag("stage", "source").counter().count());
        assertEquals(n, registry.get("tideline.runtime.record.latency.count").gauge().value());
        double maxLatency = registry.get("tideline.runtime.record.latency.seconds").tag("quantile", "max").gauge().value();
        // the window may have rolled over since (it is the last second's), so only the bound can be checked: a latency
        // longer than the whole run is a unit or clock mistake
        assertTrue(maxLatency <= wallSeconds, "max latency " + maxLatency + " s exceeds the run's " + wallSeconds + " s");
        assertTrue(registry.get("tideline.runtime.epochs.committed").counter().count() >= 3);
        assertTrue(registry.get("tideline.runtime.epoch.prepare").tag("sink", "rec").timer().count() >= 3 * 2);
        assertTrue(registry.get("tideline.runtime.epoch.commit").timer().count() >= 3);
        assertTrue(registry.get("tideline.runtime.epoch.duration").timer().count() >= 3);
        assertEquals(2 + 2 * 2, registry.find("tideline.runtime.queue.depth").gauges().size());
    }

    @Test
    void builderRejectsAMissingSourceSinkAndLedgerInOneMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EpochRuntime.builder().parallelism(0).build());
        assertTrue(e.getMessage().startsWith("Cannot build the epoch runtime: a source is required"), e.getMessage());
        assertTrue(e.getMessage().contains("at least one sink") && e.getMessage().contains("ledger")
                && e.getMessage().contains("tideline.runtime.parallelism"), e.getMessage());
    }

    @SuppressWarnings("unused")
    private static List<Position> positions(List<ChangeEvent> events) {
        List<Position> out = new ArrayList<>();
        events.forEach(e -> out.add(e.position()));
        return out;
    }
}
