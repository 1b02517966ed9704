package io.tideline.runtime;

import io.tideline.api.Position;

/**
 * The end of epoch {@code epoch}: every record before it in a queue belongs to that epoch or an earlier one.
 *
 * @param end           the position of the last source change before the barrier, or null when nothing was
 *                      delivered since the runtime started
 * @param injectedNanos when the source stage injected it
 */
record Barrier(long epoch, Position end, long injectedNanos) {
}
