package io.tideline.bench.kafka;

import java.util.BitSet;
import org.HdrHistogram.Histogram;

/**
 * What the consumer received: latency of rows scheduled in the measured window, the worst latency per
 * second of that window (a backlog shows as a ramp), duplicates and distinct ids. Written by the consumer
 * thread (or the engine's handler thread); read by others through the volatile counters or once it stopped.
 */
final class Receipts {
    private volatile long measureStartMicros = Long.MAX_VALUE;
    private volatile long measureEndMicros = Long.MAX_VALUE;
    private volatile long[] worstPerSecond = new long[0];
    private final BitSet seen = new BitSet();
    private final Histogram histogram = new Histogram(120_000_000L, 3);
    private volatile long distinct;
    private volatile long duplicates;
    private volatile long firstReceiveMicros = -1;
    private volatile long lastReceiveMicros = -1;

    /** Records latency of rows scheduled in [start, end) from now on; without it, none is recorded (bulk runs). */
    synchronized void measure(long startMicros, long endMicros) {
        worstPerSecond = new long[(int) Math.max(0, (endMicros - startMicros + 999_999) / 1_000_000)];
        measureStartMicros = startMicros;
        measureEndMicros = endMicros;
    }

    synchronized void record(long id, long scheduledMicros, long receivedMicros) {
        if (firstReceiveMicros < 0) {
            firstReceiveMicros = receivedMicros;
        }
        if (id < 0 || id > Integer.MAX_VALUE) {
            throw new IllegalStateException("Cannot record row id " + id + ": outside the generated ids."
                    + " Check that the topic holds only this run's table.");
        }
        if (seen.get((int) id)) {
            duplicates++;
            return;
        }
        seen.set((int) id);
        distinct++;
        lastReceiveMicros = receivedMicros;
        if (scheduledMicros >= measureStartMicros && scheduledMicros < measureEndMicros) {
            long latency = Math.max(0, receivedMicros - scheduledMicros);
            histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
            int second = (int) ((scheduledMicros - measureStartMicros) / 1_000_000);
            worstPerSecond[second] = Math.max(worstPerSecond[second], latency);
        }
    }

    long distinct() {
        return distinct;
    }

    long duplicates() {
        return duplicates;
    }

    /** Ids in 1..expected never received. */
    synchronized long missing(long expected) {
        return expected - seen.get(1, (int) expected + 1).cardinality();
    }

    long firstReceiveMicros() {
        return firstReceiveMicros;
    }

    long lastReceiveMicros() {
        return lastReceiveMicros;
    }

    synchronized Histogram histogram() {
        return histogram;
    }

    synchronized long[] worstPerSecond() {
        return worstPerSecond.clone();
    }
}
