package io.tideline.sink.iceberg;

/** Snapshot summary properties Tideline writes on every commit (a user-facing contract, see issue 6). */
public final class SummaryKeys {

    /** The highest source position the table holds after this snapshot, {@code <commitLsn>/<index>}. */
    public static final String POSITION = "tideline.position";
    /** The epoch whose batch this snapshot committed (carried forward by upkeep commits). */
    public static final String EPOCH = "tideline.epoch";
    /**
     * {@code <system_identifier>/<timeline>} of the PostgreSQL cluster the positions come from, in the summary of every
     * Tideline commit and as a table property.
     */
    public static final String SOURCE = "tideline.source";
    /** Table property naming the source table ({@code schema.table}) an Iceberg table replicates. */
    public static final String SOURCE_TABLE = "tideline.source.table";

    private SummaryKeys() {
    }
}
