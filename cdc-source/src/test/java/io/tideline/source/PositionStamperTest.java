package io.tideline.source;

import io.tideline.api.Position;
import org.junit.jupiter.api.Test;

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

    private PositionStamper<String> stamper(Position floor) {
        return new PositionStamper<>((c, p, last) -> out.add(new Emitted(c, p, last)), floor, 10);
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
    void positionsIncreaseAcrossSnapshotAndTransactions() throws Exception {
        PositionStamper<String> s = stamper(null);
        s.snapshotRow(500, false, "r1");
        s.snapshotRow(500, true, "r2");
        s.change("x");
        s.commit(600);
        s.change("y");
        s.commit(700);
        assertEquals(List.of(new Position(500, 0), new Position(500, 1), new Position(600, 0), new Position(700, 0)),
                out.stream().map(Emitted::position).toList());
        assertEquals(List.of(false, true, true, true), out.stream().map(Emitted::last).toList());
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i).position().isAfter(out.get(i - 1).position()));
        }
    }

    @Test
    void snapshotRowsAreDeliveredAsReadWithoutBuffering() throws Exception {
        PositionStamper<String> s = stamper(null);
        s.snapshotRow(500, false, "r1");
        assertEquals(1, out.size());
        assertEquals(0, s.buffered());
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
    void emptyTransactionEmitsNothing() throws Exception {
        assertNull(stamper(null).commit(900));
        assertTrue(out.isEmpty());
    }

    @Test
    void transactionLargerThanTheBufferFailsNamingTheSetting() {
        PositionStamper<String> s = stamper(null);
        for (int i = 0; i < 10; i++) s.change("c" + i);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.change("one too many"));
        assertTrue(e.getMessage().contains("maxBufferedChanges"), e.getMessage());
    }

    @Test
    void snapshotCounterRestartsForANewSnapshotLsn() throws Exception {
        PositionStamper<String> s = stamper(null);
        s.snapshotRow(500, true, "r1");
        s.snapshotRow(900, false, "again");
        assertEquals(new Position(900, 0), out.get(1).position());
    }
}
