package io.tideline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.api.TableId;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamGateTest {

    private static final TableId HIST = new TableId("public", "hist");

    @TempDir
    Path stateDir;

    private StreamGate gate() {
        SnapshotState state = SnapshotState.load(stateDir);
        state.put(HIST, SnapshotState.Status.PENDING);
        StreamGate gate = new StreamGate(state, new ChunkJournal(stateDir), 4, e -> List.of());
        gate.start(io.tideline.api.Position.ZERO, Map.of(HIST, false));
        return gate;
    }

    @Test
    void aBaseTheStreamReachedJustAsItsWaitTimedOutIsKeptNotTakenAgain() throws Exception {
        // The stream thread reaches the base watermark and claims the request, but is slow to decide (here: the
        // snapshot thread has not handed over its MVCC snapshot yet). The snapshot thread's wait times out meanwhile.
        // Reporting that timeout as "not reached" made it take a second base while the stream went on with the
        // first: rows committed between the two came through the stream and through the chunks.
        StreamGate gate = gate();
        StreamGate.BaseRequest req = gate.requestBase(HIST);
        CompletableFuture<List<StreamGate.Emission>> stream = CompletableFuture.supplyAsync(() -> {
            try {
                return gate.onMessage(req.key, 1_000, null);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100); // the stream claimed the request and waits for its snapshot
        PgSnapshot base = PgSnapshot.parse("500:500:");
        CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
                // the test fails on its own then
            }
            req.taken(base, 2_000);
        });
        String refusal = req.await(50);
        stream.get(30, TimeUnit.SECONDS);
        assertNull(refusal, "the snapshot thread is told the base it asked for was taken");
        assertEquals(base, gate.base(HIST), "and the stream uses that very base");
    }

    @Test
    void aBaseTheStreamHasNotReachedIsWithdrawnAndItsLateWatermarkIgnored() throws Exception {
        StreamGate gate = gate();
        StreamGate.BaseRequest req = gate.requestBase(HIST);
        req.taken(PgSnapshot.parse("500:500:"), 2_000);
        assertTrue(req.await(50) != null, "not reached in time: taken again");
        gate.onMessage(req.key, 1_000, null);
        assertNull(gate.base(HIST), "a withdrawn request's watermark decides nothing");
    }
}
