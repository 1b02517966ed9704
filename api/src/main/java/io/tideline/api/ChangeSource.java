package io.tideline.api;

/**
 * Where changes come from. Delivers committed changes in position order; a transaction's changes are
 * delivered together and its last one is flagged {@link ChangeEvent#lastInTransaction()}.
 *
 * <p>{@link #run} may be called again after it returned or threw: it then resumes from the last
 * acknowledged position, replaying everything after it (at-least-once; sinks fence the replay).
 */
public interface ChangeSource extends AutoCloseable {

    /**
     * Delivers changes to {@code handler} until {@link #close()} or an error. Blocks when the handler blocks,
     * which is how backpressure reaches the source.
     */
    void run(ChangeHandler handler) throws Exception;

    /**
     * Everything at or before {@code durable} is durable in every sink and recorded in the epoch ledger: the
     * source may advance its stored offset and the replication slot to it. Never called with a position the
     * source has not delivered.
     */
    void acknowledge(Position durable) throws Exception;

    /**
     * The runtime cut an epoch at {@code end}, the position of the last change (or progress) it was handed. Every
     * later {@link #acknowledge} names such an end, or an older position when a sink holds back: so the source
     * needs to remember one acknowledgement point per epoch, not one per transaction. Called on the thread that
     * delivers changes, or on the runtime's timer while no change is being delivered.
     */
    default void epochCut(Position end) {
    }

    /** Stops {@link #run}; safe to call from another thread. */
    @Override
    void close() throws Exception;

    @FunctionalInterface
    interface ChangeHandler {
        void onChange(ChangeEvent event) throws InterruptedException;

        /**
         * The source passed {@code position} without a change to deliver (a heartbeat between transactions, while
         * the captured tables are idle): an epoch may end there, so acknowledging it lets the slot release WAL that
         * only other tables wrote. Called only between transactions, with positions above every change delivered.
         */
        default void onProgress(Position position) throws InterruptedException {
        }
    }
}
