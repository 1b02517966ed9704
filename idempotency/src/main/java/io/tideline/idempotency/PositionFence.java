package io.tideline.idempotency;

import io.tideline.api.Position;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The highest durable position per partition key (a Kafka partition, an Iceberg table). A replayed change is
 * admitted only when it is strictly after what its partition already holds, so a replay writes nothing twice.
 * Not thread-safe: a partition has one writer, and so has its fence.
 *
 * @param <K> the partition key
 */
public final class PositionFence<K> {

    private final Map<K, Position> durable = new HashMap<>();

    /** True when {@code position} is strictly after what {@code key} holds (or it holds nothing). */
    public boolean admit(K key, Position position) {
        Position held = durable.get(key);
        return held == null || position.isAfter(held);
    }

    /** Records that {@code key} now durably holds everything up to {@code position}; never moves backwards. */
    public void advance(K key, Position position) {
        if (position != null) durable.merge(key, position, Position::max);
    }

    public Optional<Position> held(K key) {
        return Optional.ofNullable(durable.get(key));
    }

    /** The highest position over all keys, or empty when nothing is held. */
    public Optional<Position> highest() {
        return durable.values().stream().reduce(Position::max);
    }

    public Map<K, Position> asMap() {
        return Map.copyOf(durable);
    }
}
