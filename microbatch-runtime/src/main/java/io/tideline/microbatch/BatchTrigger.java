package io.tideline.microbatch;

import java.time.Duration;

/**
 * When a micro-batch commits besides every epoch barrier: once its oldest change is {@code interval} old, or
 * as soon as it holds {@code maxRows} changes or {@code maxBytes} of them (see ChangeEvent#approxBytes).
 */
public record BatchTrigger(Duration interval, int maxRows, long maxBytes) {

    public BatchTrigger(Duration interval, int maxRows) {
        this(interval, maxRows, Long.MAX_VALUE);
    }

    public static final BatchTrigger DEFAULT = new BatchTrigger(Duration.ofSeconds(10), 100_000);

    public BatchTrigger {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("Cannot set batch trigger: interval must be positive, got " + interval
                    + ". Set tideline.sink.iceberg.trigger.interval to e.g. 10s.");
        }
        if (maxRows < 1) {
            throw new IllegalArgumentException("Cannot set batch trigger: max rows must be at least 1, got " + maxRows
                    + ". Set tideline.sink.iceberg.batch.max.rows to e.g. 100000.");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("Cannot set batch trigger: max bytes must be positive, got " + maxBytes
                    + ". Raise tideline.runtime.memory.max.");
        }
    }
}
