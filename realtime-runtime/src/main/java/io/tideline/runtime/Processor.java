package io.tideline.runtime;

/**
 * What a stage does with the items of its inbox (Jet style): the worker owns the inputs and barrier alignment,
 * the processor sees records and aligned barriers, and emits into its outbox queues.
 */
interface Processor {

    /** Runs on the worker's thread before the first item. */
    default void open() throws Exception {
    }

    void onRecord(Envelope record) throws Exception;

    /** Its inputs ran dry (nothing may move for now): the first pass that moved nothing after one that did. */
    default void onIdle() throws Exception {
    }

    /** Barrier {@code barrier} arrived on every input. */
    void onBarrier(Barrier barrier) throws Exception;

    /** Runs on the worker's thread after the last item, also after a failure. */
    default void close() throws Exception {
    }
}
