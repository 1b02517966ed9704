package io.tideline.idempotency;

import io.tideline.api.Position;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class PositionFenceTest {

    @Test
    void admitsEverythingForAnUnknownKey() {
        PositionFence<String> fence = new PositionFence<>();
        assertTrue(fence.admit("t", new Position(0, 0)));
        assertTrue(fence.held("t").isEmpty());
    }

    @Test
    void admitsOnlyStrictlyAfterTheDurablePosition() {
        PositionFence<Integer> fence = new PositionFence<>();
        fence.advance(1, new Position(100, 2));
        assertFalse(fence.admit(1, new Position(100, 1)));
        assertFalse(fence.admit(1, new Position(100, 2)));
        assertTrue(fence.admit(1, new Position(100, 3)));
        assertTrue(fence.admit(1, new Position(101, 0)));
        assertTrue(fence.admit(2, new Position(1, 0)), "keys are fenced independently");
    }

    @Test
    void neverMovesBackwards() {
        PositionFence<Integer> fence = new PositionFence<>();
        fence.advance(1, new Position(200, 0));
        fence.advance(1, new Position(100, 0));
        fence.advance(1, null);
        assertEquals(new Position(200, 0), fence.held(1).orElseThrow());
        fence.advance(2, new Position(300, 0));
        assertEquals(new Position(300, 0), fence.highest().orElseThrow());
    }
}
