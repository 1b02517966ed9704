package io.tideline.idempotency;

import io.tideline.api.Position;

/**
 * One committed epoch: everything at or before {@code end} is durable in every sink.
 *
 * @param epoch      the epoch id; ids increase
 * @param end        the position of the last source change before the epoch's barrier
 * @param wallTimeMs when the ledger recorded it, epoch millis
 */
public record EpochRecord(long epoch, Position end, long wallTimeMs) {

    public EpochRecord {
        if (end == null) {
            throw new IllegalArgumentException("Cannot record epoch " + epoch + ": the end position is required.");
        }
    }
}
