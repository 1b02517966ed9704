package io.tideline.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.ChangeSource;
import io.tideline.api.Position;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An in-memory change source with the contract of the real one: {@link #run} resumes after the last acknowledged
 * position and replays everything after it; {@link #close} ends the current run. Finite by default (run returns
 * after the last transaction); {@link #endless} keeps run waiting for close.
 */
final class ReplayableSource implements ChangeSource {

    private final List<List<ChangeEvent>> transactions;
    final List<Position> acknowledged = new CopyOnWriteArrayList<>();
    final AtomicInteger runs = new AtomicInteger();
    final AtomicLong delivered = new AtomicLong();
    volatile boolean endless;
    volatile long pauseEveryTx = 0;       // pause after every n-th transaction
    volatile long pauseNanos = 0;
    volatile Consumer<Position> onAcknowledge = p -> { };
    private volatile Position acked;
    private final AtomicLong generation = new AtomicLong();
    final List<Throwable> violations = new CopyOnWriteArrayList<>();
    private final java.util.Set<Position> cuts = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ReplayableSource(List<List<ChangeEvent>> transactions) {
        this.transactions = transactions;
    }

    @Override
    public void run(ChangeHandler handler) throws Exception {
        long gen = generation.get();
        runs.incrementAndGet();
        Position from = acked;
        int t = 0;
        for (List<ChangeEvent> tx : transactions) {
            if (generation.get() != gen) return;
            if (from != null && tx.get(tx.size() - 1).position().isAtOrBefore(from)) {
                t++;
                continue; // acknowledged positions are always transaction ends here
            }
            for (ChangeEvent e : tx) {
                handler.onChange(e);
                delivered.incrementAndGet();
            }
            t++;
            if (pauseEveryTx > 0 && t % pauseEveryTx == 0) sleepNanos(pauseNanos);
        }
        while (endless && generation.get() == gen) Thread.sleep(1);
    }

    private static void sleepNanos(long nanos) throws InterruptedException {
        if (nanos > 0) Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }

    @Override
    public void acknowledge(Position durable) {
        if (acked != null && durable.compareTo(acked) < 0) {
            violations.add(new AssertionError("acknowledged " + durable + " after " + acked));
        }
        if (!cuts.contains(durable)) {
            // the real source keeps one acknowledgement point per epoch cut: any other position would ack less
            violations.add(new AssertionError("acknowledged " + durable + ", which no epoch cut announced"));
        }
        onAcknowledge.accept(durable);
        acknowledged.add(durable);
        acked = durable;
    }

    @Override
    public void epochCut(Position end) {
        cuts.add(end);
    }

    Position acked() {
        return acked;
    }

    @Override
    public void close() {
        generation.incrementAndGet();
    }
}
