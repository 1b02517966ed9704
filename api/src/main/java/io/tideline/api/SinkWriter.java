package io.tideline.api;

/**
 * One writer of a sink. Called from one thread only, in position order for the partitions it owns.
 */
public interface SinkWriter extends AutoCloseable {

    /**
     * Hands a change to the sink. May return before the change is durable (an asynchronous send); a change at
     * or before the position the sink already holds must be skipped (replay after a crash).
     *
     * @param epoch the epoch the change belongs to
     */
    void write(ChangeEvent event, long epoch) throws Exception;

    /**
     * Called when the writer has nothing more to write for now (its input ran dry). A sink that holds writes back
     * to gather larger requests while changes keep coming sends what it holds now, so a lone change does not wait
     * for the gathering to time out. Not a durability point: that is {@link #prepare}. Default: nothing held back.
     */
    default void idle() throws Exception {
    }

    /**
     * Called once after the writer opened, before its first change: every change after {@code acknowledged} (the end
     * of the last committed epoch; null when no epoch ever committed) is about to be replayed to it, in position
     * order. A sink whose partitions may already hold part of that replay, written by an attempt that failed, checks
     * that they hold an unbroken prefix of it, and fails (permanently) rather than skip over a change that is not
     * there. Default: nothing to check.
     */
    default void replayFrom(Position acknowledged) throws Exception {
    }

    /**
     * Makes everything written so far durable and returns the highest position this writer has made durable
     * (including what it held before start-up), or {@code null} when it holds nothing. Failure means the epoch
     * fails and is replayed from the last committed epoch.
     */
    Position prepare(long epoch) throws Exception;

    /**
     * The position the source must not be acknowledged past, asked after each {@link #prepare}: a sink that set part
     * of its work aside (an Iceberg table parked by a change it cannot follow) holds the slot where that part stopped,
     * so a restart after the fix replays it. {@link Position#ZERO} holds everything; null (the default) holds nothing.
     */
    default Position holdAt() {
        return null;
    }

    @Override
    void close() throws Exception;
}
