package io.tideline.sink.iceberg;

/** How changes land in a table ({@code tideline.sink.iceberg.write.mode}). */
public enum WriteMode {
    /** The table mirrors the source: one row per primary key (equality deletes + data in one RowDelta per batch). */
    UPSERT,
    /** The table is a changelog: every change is a row, deletes included with {@code _tideline_op = 'd'}. */
    APPEND
}
