package io.tideline.bench.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A no-op record-at-a-time sink that records emit → write latency per record and when the last write happened. */
final class LatencySink implements Sink {

    private final BenchWorkload workload;
    private final Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(120), 3);
    final AtomicLong written = new AtomicLong();
    final AtomicLong lastWriteNanos = new AtomicLong();
    private final int skipFirst;

    LatencySink(BenchWorkload workload, int skipFirst) {
        this.workload = workload;
        this.skipFirst = skipFirst;
    }

    @Override
    public String name() {
        return "noop";
    }

    @Override
    public Capability capability() {
        return Capability.RECORD_AT_A_TIME;
    }

    void record(ChangeEvent event) {
        long now = System.nanoTime();
        int i = BenchWorkload.index(event);
        if (i >= skipFirst) recorder.recordValue(Math.max(0, now - workload.emitNanos[i]));
        written.incrementAndGet();
        lastWriteNanos.accumulateAndGet(now, Math::max);
    }

    Histogram histogram() {
        return recorder.getIntervalHistogram();
    }

    @Override
    public SinkWriter openWriter(int index, int writers) {
        return new SinkWriter() {
            Position last;

            @Override
            public void write(ChangeEvent event, long epoch) {
                record(event);
                last = event.position();
            }

            @Override
            public Position prepare(long epoch) {
                return last;
            }

            @Override
            public void close() {
            }
        };
    }
}
