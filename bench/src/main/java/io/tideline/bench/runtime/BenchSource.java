package io.tideline.bench.runtime;

import io.tideline.api.ChangeSource;
import io.tideline.api.Position;

import java.util.SplittableRandom;

/** Emits the workload once (open or closed loop) and returns, which lets the runtime drain and return. */
final class BenchSource implements ChangeSource {

    private final BenchWorkload workload;
    private volatile boolean closed;
    volatile long startNanos;

    BenchSource(BenchWorkload workload) {
        this.workload = workload;
    }

    @Override
    public void run(ChangeHandler handler) throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        startNanos = System.nanoTime();
        for (int i = 0; i < workload.records && !closed; i++) {
            var event = workload.event(i, random);
            workload.emitNanos[i] = workload.awaitSchedule(i, startNanos);
            handler.onChange(event);
        }
    }

    @Override
    public void acknowledge(Position durable) {
    }

    @Override
    public void close() {
        closed = true;
    }
}
