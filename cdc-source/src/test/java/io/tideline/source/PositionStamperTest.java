package io.tideline.source;

import io.tideline.api.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PositionStamperTest {

    record Emitted(String change, Position position, boolean last) {
    }

    private final List<Emitted> out = new ArrayList<>();

    @TempDir
    Path spillDir;

    static final TransactionBuffer.Codec<String> STRINGS = new TransactionBuffer.Codec<>() {
        public byte[] encode(String s) { return s.getBytes(StandardCharsets.UTF_8); }
        public String decode(byte[] b) { return new String(b, StandardCharsets.UTF_8); }
    };

    private PositionStamper<String> stamper(Position floor) {
        return new PositionStamper<>((c, p, last) -> out.add(new Emitted(c, p, last)), floor,
                new TransactionBuffer<>(3, spillDir, STRINGS));
    }

    @Test
    void transactionIsHeldUntilCommitThenNumberedFromZeroWithLastFlagged() throws Exception {
        PositionStamper<String> s = stamper(null);
        s.change("a");
        s.change("b");
        s.change("c");
        assertTrue(out.isEmpty(), "nothing may leave before the commit LSN is known");
        Position last = s.commit(1000);
        assertEquals(List.of(new Emitted("a", new Position(1000, 0), false), new Emitted("b", new Position(1000, 1), false),
                new Emitted("c", new Position(1000, 2), true)), out);
        assertEquals(new Position(1000, 2), last);
    }

    @Test
    void theEndOfATransactionOrChunkIsRegisteredBeforeItsLastChangeLeaves() throws Exception {
        // the receiver of the last change may acknowledge it at once: what that commits must already be registered
        List<String> seenAtRegistration = new ArrayList<>();
        List<Position> registered = new ArrayList<>();
        PositionStamper<String> s = stamper(new Position(1000, 0));
        s.change("a");
        s.change("b");
        s.commit(2000, p -> { registered.add(p); seenAtRegistration.add(out.toString()); });
        assertEquals(List.of(new Position(2000, 1)), registered);
        assertEquals(List.of(List.of(new Emitted("a", new Position(2000, 0), false)).toString()), seenAtRegistration,
                "registered after the first change left and before the last one did");

        s.chunk(3000, 5, List.of("r1", "r2"), p -> { registered.add(p); seenAtRegistration.add(out.toString()); });
        assertEquals(new Position(3000, 6), registered.get(1));
        assertEquals(3, out.size() - 1, "the chunk's last row left after its registration");
        assertTrue(seenAtRegistration.get(1).contains("r1") && !seenAtRegistration.get(1).contains("r2"));

        s.change("replayed");
        s.commit(1000, registered::add);
        assertEquals(2, registered.size(), "a transaction dropped as already delivered registers nothing");
    }

    @Test
    void positionsIncreaseAcrossChunksAndTransactions() throws Exception {
        PositionStamper<String> s = stamper(null);
        long base = StreamGate.CHUNK_INDEX_BASE;
        s.chunk(500, base, List.of("r1", "r2"), p -> { });
        s.change("x");
        s.commit(600);
        s.change("y");
        s.commit(700);
        assertEquals(List.of(new Position(500, base), new Position(500, base + 1), new Position(600, 0), new Position(700, 0)),
                out.stream().map(Emitted::position).toList());
        assertEquals(List.of(false, true, true, true), out.stream().map(Emitted::last).toList());
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i).position().isAfter(out.get(i - 1).position()));
        }
    }

    @Test
    void chunkRowsAreDeliveredAtOnceWithoutBuffering() throws Exception {
        PositionStamper<String> s = stamper(null);
        s.chunk(500, StreamGate.CHUNK_INDEX_BASE, List.of("r1", "r2"), p -> { });
        assertEquals(2, out.size());
        assertEquals(0, s.buffered());
    }

    @Test
    void aReplayedChunkDeliversOnlyTheRowsPastTheAcknowledgedPosition() throws Exception {
        long base = StreamGate.CHUNK_INDEX_BASE;
        PositionStamper<String> s = stamper(new Position(500, base));
        assertEquals(new Position(500, base + 2), s.chunk(500, base, List.of("r0", "r1", "r2"), p -> { }));
        assertEquals(List.of("r1", "r2"), out.stream().map(Emitted::change).toList());
    }

    @Test
    void replayAtOrBeforeTheAcknowledgedPositionIsDropped() throws Exception {
        PositionStamper<String> s = stamper(new Position(600, 1));
        s.change("old0");
        s.change("old1");
        assertNull(s.commit(600), "a transaction already acknowledged emits nothing");
        s.change("new");
        assertEquals(new Position(700, 0), s.commit(700));
        assertEquals(List.of("new"), out.stream().map(Emitted::change).toList());
    }

    @Test
    void aTransactionReplayedWithinOneRunIsNotDeliveredTwice() throws Exception {
        PositionStamper<String> s = stamper(null);
        s.change("a");
        s.commit(800);
        s.change("a");
        assertNull(s.commit(800));
        assertEquals(1, out.size());
        assertEquals(new Position(800, 0), s.floor());
    }

    @Test
    void aTransactionSentAgainAfterATaskRestartIsNumberedFromZero() throws Exception {
        PositionStamper<String> s = stamper(null);
        s.change("a");
        s.change("b");
        s.discardOpenTransaction();
        s.change("a");
        s.change("b");
        s.commit(300);
        assertEquals(List.of(new Emitted("a", new Position(300, 0), false), new Emitted("b", new Position(300, 1), true)), out);
    }

    @Test
    void emptyTransactionEmitsNothing() throws Exception {
        assertNull(stamper(null).commit(900));
        assertTrue(out.isEmpty());
    }

    @Test
    void transactionLargerThanMemorySpillsToDiskAndKeepsItsOrder() throws Exception {
        PositionStamper<String> s = stamper(null);
        for (int i = 0; i < 10; i++) s.change("c" + i);
        assertEquals(10, s.buffered());
        assertEquals(1, Files.list(spillDir).count(), "the part beyond memory waits in one spill file");
        assertEquals(new Position(77, 9), s.commit(77));
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"),
                out.stream().map(Emitted::change).toList());
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), out.stream().map(e -> e.position().index()).toList());
        assertTrue(out.get(9).last());
        assertEquals(0, Files.list(spillDir).count(), "the spill file is removed after the commit");
    }

    @Test
    void withoutASpillDirectoryATooLargeTransactionFailsNamingTheSetting() {
        PositionStamper<String> s = new PositionStamper<>((c, p, l) -> { }, null, new TransactionBuffer<>(2, null, null));
        s.change("a");
        s.change("b");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.change("c"));
        assertTrue(e.getMessage().contains("maxBufferedChanges"), e.getMessage());
    }

}
