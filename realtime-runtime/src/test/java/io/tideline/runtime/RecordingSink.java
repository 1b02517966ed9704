package io.tideline.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;
import io.tideline.idempotency.PositionFence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sink whose "durable storage" is memory that survives writer restarts, like a Kafka partition: each writer
 * owns the partitions {@link #writerFor} gives it, fences replays with a {@link PositionFence}, and makes its
 * pending writes durable at prepare. Can be told to fail or stall.
 */
final class RecordingSink implements Sink {

    record Durable(ChangeEvent event, long writtenEpoch, long preparedEpoch, int writer) {
    }

    private final String name;
    private final Capability capability;
    private final List<Durable> durable = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<Integer, Position> fenceByWriter = new ConcurrentHashMap<>();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final AtomicLong maxEpochWritten = new AtomicLong(-1);
    final List<String> violations = new CopyOnWriteArrayList<>();
    volatile long failPrepareAtEpoch = -1;
    volatile int failPrepareTimes = 0;
    volatile boolean failEveryPrepare;
    volatile long stallFirstWriteMs;
    /** When set, the first write blocks until it is counted down (or 60 s pass): a stall the test ends itself. */
    volatile java.util.concurrent.CountDownLatch stallFirstWriteUntil;
    /** Counted down when the first write starts stalling. */
    final java.util.concurrent.CountDownLatch stalling = new java.util.concurrent.CountDownLatch(1);
    private final AtomicInteger stalls = new AtomicInteger();
    /** Positions a writer held, written but not yet prepared, when it was told its input ran dry. */
    final java.util.Set<Position> pendingAtIdle = ConcurrentHashMap.newKeySet();

    RecordingSink(String name, Capability capability) {
        this.name = name;
        this.capability = capability;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Capability capability() {
        return capability;
    }

    @Override
    public boolean keepLastPerKey(io.tideline.api.TableId table) {
        return false;
    }

    /**
     * Partitions differently from the runtime's first shuffle (like Kafka's murmur2 partitions or Iceberg's one
     * writer per table), so a writer receives changes from several operator workers and must merge them in order.
     */
    @Override
    public int writerFor(ChangeEvent event, int writers) {
        return Math.floorMod(event.keyHash() / 7, writers);
    }

    /** Positions made durable, in durable order. */
    List<Position> durablePositions() {
        return durable().stream().map(d -> d.event().position()).toList();
    }

    /** What was made durable, in durable order (per writer, in write order). */
    List<Durable> durable() {
        synchronized (durable) {
            return List.copyOf(durable);
        }
    }

    @Override
    public SinkWriter openWriter(int index, int writers) {
        opened.incrementAndGet();
        SinkWriter w = newWriter(index, writers);
        lastOpened = w;
        return w;
    }

    /** The writer this sink handed out last: what a router must attach as it is. */
    volatile SinkWriter lastOpened;

    private SinkWriter newWriter(int index, int writers) {
        return new SinkWriter() {
            final PositionFence<Integer> fence = new PositionFence<>();
            final List<ChangeEvent> pending = new ArrayList<>();
            final List<Long> pendingEpochs = new ArrayList<>();
            long lastEpochPrepared = -1;
            Position lastWritten;

            {
                Position held = fenceByWriter.get(index);
                if (held != null) fence.advance(index, held);
            }

            @Override
            public void write(ChangeEvent event, long epoch) throws Exception {
                if ((stallFirstWriteMs > 0 || stallFirstWriteUntil != null) && stalls.getAndIncrement() == 0) {
                    stalling.countDown();
                    if (stallFirstWriteUntil != null) stallFirstWriteUntil.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    else Thread.sleep(stallFirstWriteMs);
                }
                maxEpochWritten.accumulateAndGet(epoch, Math::max);
                if (epoch < lastEpochPrepared || (epoch == lastEpochPrepared && capability == Capability.RECORD_AT_A_TIME)) {
                    violations.add("writer " + index + " got epoch " + epoch + " after preparing " + lastEpochPrepared);
                }
                if (!fence.admit(index, event.position())) return;
                // the SinkWriter contract: a writer sees its partitions in position order (Kafka's tail fence needs it)
                if (lastWritten != null && !event.position().isAfter(lastWritten)) {
                    violations.add("writer " + index + " got " + event.position() + " after " + lastWritten);
                }
                lastWritten = event.position();
                if (writerFor(event, writers) != index) violations.add("writer " + index + " got a change of another writer");
                pending.add(event);
                pendingEpochs.add(epoch);
            }

            @Override
            public void idle() {
                for (ChangeEvent e : pending) pendingAtIdle.add(e.position());
            }

            @Override
            public Position prepare(long epoch) throws Exception {
                if (failEveryPrepare || (failPrepareAtEpoch >= 0 && epoch >= failPrepareAtEpoch && index == 0 && failPrepareTimes > 0)) {
                    failPrepareTimes--;
                    throw new java.io.IOException("simulated sink failure at epoch " + epoch);
                }
                for (int i = 0; i < pending.size(); i++) {
                    durable.add(new Durable(pending.get(i), pendingEpochs.get(i), epoch, index));
                    fence.advance(index, pending.get(i).position());
                }
                pending.clear();
                pendingEpochs.clear();
                lastEpochPrepared = epoch;
                fence.held(index).ifPresent(p -> fenceByWriter.put(index, p));
                return fence.held(index).orElse(null);
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }
}
