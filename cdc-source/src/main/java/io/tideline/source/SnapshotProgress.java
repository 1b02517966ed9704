package io.tideline.source;

import io.tideline.api.TableId;

/**
 * One captured table's snapshot, as operators, metrics and health checks see it.
 *
 * @param status        {@code pending}, {@code snapshotting} or {@code captured} (snapshot done, or none needed)
 * @param rowsDone      rows of acknowledged chunks (durable in every sink)
 * @param rowsRead      rows handed on by this process so far
 * @param estimatedRows PostgreSQL's estimate of the table's rows when its snapshot started ({@code -1}: unknown)
 * @param chunksDone    acknowledged chunks
 * @param chunksPlanned chunks planned so far
 * @param allPlanned    the last chunk is planned, so {@code chunksPlanned} is the total
 */
public record SnapshotProgress(TableId table, String status, long rowsDone, long rowsRead, long estimatedRows,
                               long chunksDone, long chunksPlanned, boolean allPlanned) {

    public boolean snapshotting() {
        return !status.equals("captured");
    }
}
