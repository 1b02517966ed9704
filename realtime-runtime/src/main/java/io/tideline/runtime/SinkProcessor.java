package io.tideline.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;

import java.util.concurrent.TimeUnit;

/**
 * One sink writer's stage worker: opens the writer on its own thread (the writer reads its fence then), writes
 * each record, and at an aligned barrier prepares the epoch and reports the durable position to the coordinator.
 */
final class SinkProcessor implements Processor {

    private final Sink sink;
    private final int index;
    private final int writers;
    private final SinkRouter router;
    private final EpochCoordinator coordinator;
    private final RuntimeMetrics metrics;
    private final Counter in;
    private final Timer prepareTime;
    /** The end of the last committed epoch when this attempt started: everything after it is replayed. */
    private final Position acknowledged;
    private SinkWriter writer;
    /** This worker's per-table counters (one thread: a plain map). */
    private final java.util.Map<io.tideline.api.TableId, Counter> perTable = new java.util.HashMap<>();

    SinkProcessor(Sink sink, int index, int writers, SinkRouter router, EpochCoordinator coordinator, RuntimeMetrics metrics,
                  Position acknowledged) {
        this.sink = sink;
        this.index = index;
        this.writers = writers;
        this.router = router;
        this.coordinator = coordinator;
        this.metrics = metrics;
        this.in = metrics.recordsIn("sink:" + sink.name(), index);
        this.prepareTime = metrics.prepareTime(sink.name());
        this.acknowledged = acknowledged;
    }

    @Override
    public void open() throws Exception {
        writer = router.openWriter(sink, index, writers);
        writer.replayFrom(acknowledged);
    }

    @Override
    public void onRecord(Envelope record) throws Exception {
        writer.write(record.event(), record.epoch());
        metrics.latency.record(System.nanoTime() - record.handoffNanos());
        in.increment();
        perTable.computeIfAbsent(record.event().table(), t -> metrics.sinkRecords(sink.name(), t.toString())).increment();
        metrics.delivered(sink.name(), record.event().commitTimeMs());
    }

    @Override
    public void onIdle() throws Exception {
        writer.idle();
    }

    @Override
    public void onBarrier(Barrier barrier) throws Exception {
        long start = System.nanoTime();
        Position durable;
        try {
            durable = writer.prepare(barrier.epoch());
        } catch (Exception e) {
            throw new Exception("Cannot prepare epoch " + barrier.epoch() + " in sink '" + sink.name() + "' writer "
                    + index + ": " + e.getMessage() + ". The epoch fails and is replayed from the last committed epoch.", e);
        }
        prepareTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        coordinator.hold(writer.holdAt());
        coordinator.prepared(barrier, sink.name(), index, durable);
    }

    @Override
    public void close() throws Exception {
        if (writer != null) writer.close();
    }
}
