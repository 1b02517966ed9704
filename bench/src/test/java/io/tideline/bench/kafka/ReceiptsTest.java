package io.tideline.bench.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ReceiptsTest {
    @Test
    void countsDuplicatesAndMissingIds() {
        Receipts r = new Receipts();
        r.record(1, 0, 10);
        r.record(2, 0, 10);
        r.record(2, 0, 11);
        r.record(4, 0, 12);
        assertEquals(3, r.distinct());
        assertEquals(1, r.duplicates());
        assertEquals(2, r.missing(5)); // 3 and 5
    }

    @Test
    void measuresLatencyFromTheScheduledTimeOnlyInsideTheWindow() {
        Receipts r = new Receipts();
        long start = 1_000_000_000L;
        r.measure(start, start + 2_000_000);
        r.record(1, start - 1, start + 900_000); // warm-up: not measured
        r.record(2, start, start + 5_000);
        r.record(3, start + 1_500_000, start + 1_700_000);
        r.record(4, start + 1_600_000, start + 1_650_000);
        assertEquals(3, r.histogram().getTotalCount());
        assertEquals(200_000, r.histogram().getMaxValue(), 200);
        assertArrayEquals(new long[] {5_000, 200_000}, r.worstPerSecond());
    }

    @Test
    void keepsFirstAndLastReceiveTimesForThroughput() {
        Receipts r = new Receipts();
        r.record(1, 0, 100);
        r.record(2, 0, 250);
        r.record(1, 0, 300);
        assertEquals(100, r.firstReceiveMicros());
        assertEquals(250, r.lastReceiveMicros());
    }
}
