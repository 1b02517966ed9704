package io.tideline.bench.kafka;

/** One way of getting a table's changes out of PostgreSQL; started on a fresh {@link Fixture}. */
interface CapturePath extends AutoCloseable {
    /** The row label of the result table. */
    String label();

    /**
     * Starts capturing the fixture's table from its slot. Paths that write to Kafka write to
     * {@link Fixture#topic} and ignore {@code receipts} (a {@link TopicReader} fills them); others record
     * into {@code receipts} themselves.
     */
    void start(Fixture fixture, Receipts receipts) throws Exception;

    /** Why the path stopped on its own, or null while it runs. */
    default String failure() {
        return null;
    }

    default boolean writesToKafka() {
        return true;
    }

    /** Stops capturing and releases the replication connection. */
    @Override
    void close() throws Exception;
}
