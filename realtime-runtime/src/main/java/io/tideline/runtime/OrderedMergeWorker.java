package io.tideline.runtime;

import io.tideline.api.Position;

/**
 * A sink writer's worker. Its inputs come from every operator worker, each in position order; it merges them so the
 * writer sees its partitions in position order (what {@link io.tideline.api.SinkWriter} promises, and what lets a
 * sink fence a replay by "the last position I hold"). It hands over the smallest head record once no input can
 * still deliver a smaller one: an empty input's operator worker either holds something later (its {@link Bound})
 * or is idle, and then everything it may still emit comes after what the source had handed off when we looked.
 * The globally smallest record in flight always qualifies, so the merge cannot deadlock on full queues.
 *
 * <p>Barriers: an input whose head is barrier N has delivered all of epoch N; when every input shows N, the
 * processor sees it once and the barriers are taken (alignment, as in {@link StageWorker}).
 */
final class OrderedMergeWorker extends WorkerLoop {

    private static final int BURST = 256;

    private final Channel[] inputs;
    private final StageWorker[] upstream; // upstream[j] feeds inputs[j]
    private final SourceProgress source;
    private final boolean[] empty;
    private final boolean[] seenEmpty;
    private final Bound[] seenBounds;
    private Position seenHandedOff;

    OrderedMergeWorker(String name, Channel[] inputs, StageWorker[] upstream, SourceProgress source, Processor processor,
                       Parker parker, Control control) {
        super(name, processor, parker, control);
        this.inputs = inputs;
        this.upstream = upstream;
        this.source = source;
        this.empty = new boolean[inputs.length];
        this.seenEmpty = new boolean[inputs.length];
        this.seenBounds = new Bound[inputs.length];
    }

    /** Waits for a change that could let something move: not merely "an input has items". */
    @Override
    void idle(int round) {
        snapshot();
        parker.idle(round, this::changed);
    }

    @Override
    boolean runOnce() throws Exception {
        boolean progress = false;
        for (int n = 0; n < BURST && !control.aborted(); n++) {
            if (!step()) break;
            progress = true;
        }
        return progress;
    }

    /** Hands over one record or one aligned barrier; false when nothing may move yet. */
    private boolean step() throws Exception {
        Position handedOff = source.last(); // read before looking at the queues: see class comment
        int best = -1;
        Position bestPosition = null;
        int barriers = 0;
        boolean anyEmpty = false;
        for (int j = 0; j < inputs.length; j++) {
            Object head = inputs[j].peek();
            empty[j] = head == null;
            if (head == null) {
                anyEmpty = true;
            } else if (head instanceof Barrier) {
                barriers++;
            } else {
                Position p = ((Envelope) head).event().position();
                if (best < 0 || p.compareTo(bestPosition) < 0) {
                    best = j;
                    bestPosition = p;
                }
            }
        }
        if (barriers == inputs.length) {
            Barrier barrier = (Barrier) inputs[0].poll();
            for (int j = 1; j < inputs.length; j++) {
                Barrier other = (Barrier) inputs[j].poll();
                if (other.epoch() != barrier.epoch()) {
                    throw new IllegalStateException("Cannot align barriers in " + name + ": input " + j + " delivered epoch "
                            + other.epoch() + " while input 0 delivered " + barrier.epoch() + ". This is a bug; please report it.");
                }
            }
            processor.onBarrier(barrier);
            return true;
        }
        if (best < 0) return false;
        if (anyEmpty) {
            for (int j = 0; j < inputs.length; j++) {
                if (empty[j] && !quiet(j, bestPosition, handedOff)) return false;
            }
        }
        processor.onRecord((Envelope) inputs[best].poll());
        return true;
    }

    /** Whether the operator worker behind empty input {@code j} can no longer send anything before {@code candidate}. */
    private boolean quiet(int j, Position candidate, Position handedOff) {
        StageWorker op = upstream[j];
        Bound bound = op.bound();
        boolean safe;
        if (bound != null) {
            safe = bound.admits(candidate);
        } else {
            // idle when we looked: its input is empty, so what it may still get was handed off after handedOff
            safe = handedOff != null && candidate.isAtOrBefore(handedOff) && op.input().isEmpty() && op.bound() == null;
        }
        return safe && inputs[j].isEmpty(); // nothing was emitted to us meanwhile
    }

    private void snapshot() {
        seenHandedOff = source.last();
        for (int j = 0; j < inputs.length; j++) {
            seenBounds[j] = upstream[j].bound();
            seenEmpty[j] = inputs[j].isEmpty();
        }
    }

    /** Whether anything the last step depended on moved: an empty input got an item, a bound or the source moved. */
    private boolean changed() {
        if (control.aborted() || source.last() != seenHandedOff) return true;
        for (int j = 0; j < inputs.length; j++) {
            if (seenEmpty[j] && !inputs[j].isEmpty()) return true;
            if (upstream[j].bound() != seenBounds[j]) return true;
        }
        return false;
    }
}
