package io.tideline.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PositionTest {

    @Test
    void ordersByCommitLsnThenIndex() {
        assertTrue(new Position(10, 5).compareTo(new Position(11, 0)) < 0);
        assertTrue(new Position(11, 1).isAfter(new Position(11, 0)));
        assertTrue(new Position(11, 0).isAtOrBefore(new Position(11, 0)));
        assertTrue(new Position(0, 0).isAfter(Position.ZERO));
    }

    @Test
    void commitLsnIsUnsignedSoTheHighestLsnsStillOrderAndRoundTrip() {
        Position high = Position.parse("18446744073709551615/2");
        assertTrue(high.isAfter(new Position(Long.MAX_VALUE, 9)));
        assertEquals("18446744073709551615/2", high.toString());
    }

    @Test
    void textFormIsDecimalCommitLsnSlashIndex() {
        Position p = new Position(23456789, 3);
        assertEquals("23456789/3", p.toString());
        assertEquals(p, Position.parse(p.toString()));
    }

    @Test
    void unreadableTextIsRefusedWithTheTextInTheMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Position.parse("0/1A2B3C"));
        assertTrue(e.getMessage().contains("'0/1A2B3C'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Position.parse("12"));
        assertThrows(IllegalArgumentException.class, () -> Position.parse(null));
    }

    @Test
    void minAndMaxTreatNullAsAbsent() {
        Position a = new Position(1, 1);
        assertEquals(a, Position.max(null, a));
        assertEquals(a, Position.min(a, null));
        assertEquals(new Position(2, 0), Position.max(a, new Position(2, 0)));
    }
}
