package io.tideline.bench.kafka;

/**
 * Wall-clock epoch microseconds derived from {@link System#nanoTime()}: monotonic inside this JVM, so a
 * scheduled time written into a row and the consumer's receive time can be subtracted without NTP steps
 * showing up as latency. Only meaningful inside the bench JVM, which both writes and reads the rows.
 */
final class BenchClock {
    private static final long BASE_NANOS = System.nanoTime();
    private static final long BASE_MICROS = System.currentTimeMillis() * 1000L;

    private BenchClock() {
    }

    static long nowMicros() {
        return toMicros(System.nanoTime());
    }

    static long toMicros(long nanoTime) {
        return BASE_MICROS + (nanoTime - BASE_NANOS) / 1000L;
    }
}
