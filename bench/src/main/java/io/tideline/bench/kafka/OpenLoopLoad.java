package io.tideline.bench.kafka;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends single-row INSERT transactions on a fixed schedule. Each row carries its <em>scheduled</em> send
 * time, not the time it was actually sent: when the database, the generator or the capture stalls, the
 * rows that should have been sent meanwhile show the stall as latency instead of hiding it
 * (coordinated omission).
 */
final class OpenLoopLoad {
    /** What was sent; ids are 1..sent. */
    record Result(long sent, long measureStartMicros, long measureEndMicros, long maxBehindMicros) {
    }

    private final BenchServices services;
    private final Fixture fixture;
    private final int rate;
    private final long warmupNanos;
    private final long durationNanos;

    OpenLoopLoad(BenchServices services, Fixture fixture, int rate, long warmupNanos, long durationNanos) {
        this.services = services;
        this.fixture = fixture;
        this.rate = rate;
        this.warmupNanos = warmupNanos;
        this.durationNanos = durationNanos;
    }

    /** Sends the whole schedule starting at {@code start} (a nanoTime), blocking until the last row is sent. */
    Result run(long start) throws Exception {
        long total = (long) rate * (warmupNanos + durationNanos) / 1_000_000_000L;
        double periodNanos = 1_000_000_000.0 / rate;
        long maxBehind = 0;
        try (Connection c = services.connect();
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + fixture.qualifiedTable()
                     + " (id, sched_us, payload) VALUES (?, ?, ?)")) {
            c.setAutoCommit(true);
            for (long i = 0; i < total; i++) {
                long scheduled = start + (long) (i * periodNanos);
                long now = System.nanoTime();
                if (now < scheduled) {
                    LockSupport.parkNanos(scheduled - now);
                } else {
                    maxBehind = Math.max(maxBehind, now - scheduled);
                }
                insert.setLong(1, i + 1);
                insert.setLong(2, BenchClock.toMicros(scheduled));
                insert.setString(3, Fixture.PAYLOAD);
                insert.executeUpdate();
            }
            return new Result(total, BenchClock.toMicros(start + warmupNanos),
                    BenchClock.toMicros(start + warmupNanos + durationNanos), maxBehind / 1000L);
        }
    }
}
