package io.tideline.runtime;

import io.tideline.api.Position;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoundTest {

    @Test
    void aRecordInHandAdmitsOnlyWhatIsBeforeIt() {
        Bound held = new Bound(new Position(1000, 2), false);
        assertTrue(held.admits(new Position(1000, 1)));
        assertFalse(held.admits(new Position(1000, 2)), "the record itself may still go to this writer");
        assertFalse(held.admits(new Position(1010, 0)));
    }

    @Test
    void aBarrierAdmitsItsEpochButNothingAfterIt() {
        Bound barrier = new Bound(new Position(1190, 3), true);
        assertTrue(barrier.admits(new Position(1190, 3)));
        assertFalse(barrier.admits(new Position(1200, 0)));
    }

    @Test
    void aBarrierBeforeTheFirstChangeOfAFreshStartAdmitsNothing() {
        // the worker's first change is still to come and may be the smallest of all
        Bound empty = new Bound(null, true);
        assertFalse(empty.admits(new Position(1000, 0)));
        assertFalse(empty.admits(new Position(1190, 3)));
    }
}
