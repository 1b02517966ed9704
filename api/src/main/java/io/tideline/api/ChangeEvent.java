package io.tideline.api;

/**
 * One committed row change, as every runtime and sink sees it.
 *
 * @param table       the source table
 * @param op          what happened
 * @param key         the primary key columns (null for a table without a primary key)
 * @param before      the row before the change (null for inserts and snapshot reads; key columns only unless
 *                    the table has REPLICA IDENTITY FULL)
 * @param after       the row after the change (null for deletes)
 * @param source      the source metadata block (Debezium's {@code source} struct: version, connector, name,
 *                    ts_ms, snapshot, db, sequence, schema, table, txId, lsn, xmin), kept so a sink can write
 *                    Debezium-compatible envelopes
 * @param position    where the change sits in the source stream; what every sink fences on
 * @param commitTimeMs the source transaction's commit time, epoch millis
 * @param lastInTransaction true when this is the last change of its transaction: an epoch barrier may only
 *                    follow such a change, so a barrier never splits a transaction
 */
public record ChangeEvent(TableId table, Op op, Row key, Row before, Row after, Row source,
                          Position position, long commitTimeMs, boolean lastInTransaction) {

    public ChangeEvent {
        if (table == null || op == null || position == null) {
            throw new IllegalArgumentException("Cannot build change event: table, op and position are required.");
        }
    }

    /** The row image a sink should store: after for inserts/updates/reads, before for deletes. */
    public Row image() {
        return after != null ? after : before;
    }

    /** Roughly how many bytes of heap the change holds (its row images and source block): see {@link Row#approxBytes()}. */
    public long approxBytes() {
        return approxBytes(key, before, after, source);
    }

    /** The same estimate for a change's rows before it has a position (a change waiting for its commit). */
    public static long approxBytes(Row key, Row before, Row after, Row source) {
        return 64 + bytes(key) + bytes(before) + bytes(after) + bytes(source);
    }

    private static long bytes(Row r) {
        return r == null ? 0 : r.approxBytes();
    }

    /** Hash of table and primary key (or the whole row image without a key): what shuffles partition on. */
    public int keyHash() {
        Row k = key != null ? key : image();
        return 31 * table.hashCode() + (k == null ? 0 : k.hashCode());
    }

    public ChangeEvent withRows(Row newBefore, Row newAfter) {
        return new ChangeEvent(table, op, key, newBefore, newAfter, source, position, commitTimeMs, lastInTransaction);
    }

    public ChangeEvent withTable(TableId newTable) {
        return new ChangeEvent(newTable, op, key, before, after, source, position, commitTimeMs, lastInTransaction);
    }
}
