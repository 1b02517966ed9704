package io.tideline.bench.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathResultTest {

    private static PathResult.Bulk run(double rate, long missing, long duplicates) {
        return new PathResult.Bulk(1000, rate, rate - 1, missing, duplicates);
    }

    @Test
    void theMedianRoundCountsAndEveryRoundsLossesAddUp() {
        PathResult.Bulk m = PathResult.median(List.of(run(70_000, 0, 1), run(57_000, 2, 0), run(82_000, 0, 0)));
        assertEquals(70_000, m.rowsPerSecond());
        assertEquals(69_999, m.rowsPerSecondWithStartup());
        assertEquals(2, m.missing());
        assertEquals(1, m.duplicates());
    }

    @Test
    void anEvenNumberOfRoundsTakesTheLowerMiddleAndNoRoundsGiveNothing() {
        assertEquals(60_000, PathResult.median(List.of(run(80_000, 0, 0), run(60_000, 0, 0))).rowsPerSecond());
        assertNull(PathResult.median(List.of()));
    }
}
