package io.tideline.sink.kafka;

import io.tideline.api.Position;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a partition holds after the last acknowledged position, in offset order: the part an earlier attempt wrote
 * and the replay must find again, change by change. A replayed change that is missing while a later one is held is
 * a hole: a send that failed (a batch expired, a record refused) while later batches of the partition got in.
 */
final class HeldSuffix {

    record Held(Position position, long offset) {
    }

    private final Deque<Held> held = new ArrayDeque<>();

    void add(Position position, long offset) {
        held.addLast(new Held(position, offset));
    }

    boolean isEmpty() {
        return held.isEmpty();
    }

    int size() {
        return held.size();
    }

    Held head() {
        return held.peekFirst();
    }

    Held pop() {
        return held.pollFirst();
    }
}
