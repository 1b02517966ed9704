package io.tideline.api;

/**
 * Where changes go. A sink declares what it can do; the router picks the runtime from that declaration,
 * never from the sink's name: {@link Capability#RECORD_AT_A_TIME} sinks hang off the real-time runtime,
 * {@link Capability#BATCH_ONLY} sinks are fed through the micro-batch runtime.
 *
 * <p>A sink is written by {@code writers} independent {@link SinkWriter}s, one per runtime worker.
 * {@link #writerFor} must send every change of one output partition (a Kafka partition, an Iceberg table)
 * to the same writer, so each partition has one writer, in position order, and can fence replays.
 */
public interface Sink extends AutoCloseable {

    enum Capability { RECORD_AT_A_TIME, BATCH_ONLY }

    /** Short name for logs and metrics, e.g. {@code kafka}. */
    String name();

    Capability capability();

    /** Which of {@code writers} writers owns the output partition of this change. Must keep per-key order. */
    default int writerFor(ChangeEvent event, int writers) {
        return Math.floorMod(event.keyHash(), writers);
    }

    /**
     * For {@link Capability#BATCH_ONLY} sinks: whether the micro-batch runtime may collapse several changes of
     * one primary key within a batch to the last one (upsert tables), or must hand over every change (append
     * tables, a changelog). When collapsing, a value {@link Unchanged} in the later image is filled from the
     * earlier image of the same key.
     */
    default boolean keepLastPerKey(TableId table) {
        return false;
    }

    /**
     * Opens writer {@code index} of {@code writers}. The writer reads what its partitions already hold
     * (the fence) before it accepts changes.
     */
    SinkWriter openWriter(int index, int writers) throws Exception;

    @Override
    default void close() throws Exception {
    }

    /**
     * Whether every writer of this sink takes {@code event} (each writes it to the output partitions it owns), instead
     * of the one {@link #writerFor} names: a TRUNCATE must reach every partition of a table's topic. Default: never.
     */
    default boolean everyWriterTakes(ChangeEvent event) {
        return false;
    }
}
