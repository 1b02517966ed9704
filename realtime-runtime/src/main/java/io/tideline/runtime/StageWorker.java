package io.tideline.runtime;

import java.util.Arrays;

/**
 * One worker of a stage: a loop that drains its input queues into its processor and reports whether it made
 * progress, parking when it did not. Aligns barriers: once an input delivered barrier N it is not read again
 * until every input delivered N (what arrives behind it belongs to epoch N+1), then the processor sees N once.
 */
final class StageWorker extends WorkerLoop {

    /** Items taken from one input before looking at the next, so one busy input cannot starve the others. */
    private static final int BURST = 256;

    private final Channel[] inputs;
    private final boolean[] blocked;
    private int barriersSeen;
    /** For single-input stages: a lower bound on what this worker may still emit; null when idle. */
    private volatile Bound bound;
    private Parker[] downstream = new Parker[0];
    private Barrier pending;

    StageWorker(String name, Channel[] inputs, Processor processor, Parker parker, Control control) {
        super(name, processor, parker, control);
        this.inputs = inputs;
        this.blocked = new boolean[inputs.length];
    }

    /** Sink workers merging this worker's output wait on its bound: wake them when it moves. */
    void notifyOnBound(Parker[] parkers) {
        this.downstream = parkers;
    }

    private void notifyDownstream() {
        for (Parker p : downstream) p.wake();
    }

    /** The queue this (single-input) worker reads. */
    Channel input() {
        return inputs[0];
    }

    Bound bound() {
        return bound;
    }

    @Override
    void idle(int round) {
        parker.idle(round, this::hasInput);
    }

    /** One pass over every input; true when it moved at least one item. */
    @Override
    boolean runOnce() throws Exception {
        boolean progress = false;
        for (int i = 0; i < inputs.length; i++) {
            if (blocked[i]) continue;
            Channel in = inputs[i];
            for (int n = 0; n < BURST; n++) {
                Object next = in.peek();
                if (next == null) {
                    if (inputs.length == 1 && bound != null) {
                        bound = null; // idle: every later emission comes after what the source handed off
                        notifyDownstream();
                    }
                    break;
                }
                // published before the item leaves the queue, so a merging consumer never misses an item in hand
                if (inputs.length == 1 && downstream.length > 0) {
                    bound = Bound.of(next);
                    notifyDownstream();
                }
                Object item = in.poll();
                progress = true;
                if (item instanceof Barrier b) {
                    onBarrier(i, b);
                    break;
                }
                processor.onRecord((Envelope) item);
            }
            if (control.aborted()) return progress;
        }
        return progress;
    }

    private void onBarrier(int input, Barrier barrier) throws Exception {
        if (pending == null) {
            pending = barrier;
        } else if (pending.epoch() != barrier.epoch()) {
            throw new IllegalStateException("Cannot align barriers in " + name + ": input " + input + " delivered epoch "
                    + barrier.epoch() + " while epoch " + pending.epoch() + " is being aligned. This is a bug; please report it.");
        }
        blocked[input] = true;
        if (++barriersSeen < inputs.length) return;
        Barrier aligned = pending;
        pending = null;
        barriersSeen = 0;
        Arrays.fill(blocked, false);
        processor.onBarrier(aligned);
    }

    private boolean hasInput() {
        if (control.aborted()) return true;
        for (int i = 0; i < inputs.length; i++) {
            if (!blocked[i] && !inputs[i].isEmpty()) return true;
        }
        return false;
    }
}
