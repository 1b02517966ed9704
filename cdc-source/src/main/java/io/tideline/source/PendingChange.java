package io.tideline.source;

import org.apache.kafka.connect.source.SourceRecord;

/**
 * A change waiting for its position. Kept in memory it is converted at once and holds only the converted change:
 * a transaction's changes wait for its END marker, so whatever they hold survives young collections, and
 * Debezium's record (Connect structs, offset maps) is several times the converted form. Spilled to disk it stays
 * Debezium's record, which {@link SourceRecordCodec} round-trips.
 */
final class PendingChange {

    private final SourceRecord raw;
    private final Unstamped converted;

    private PendingChange(SourceRecord raw, Unstamped converted) {
        this.raw = raw;
        this.converted = converted;
    }

    static PendingChange of(SourceRecord record) {
        return new PendingChange(record, null);
    }

    /** A change converted elsewhere (a snapshot chunk row). */
    static PendingChange converted(Unstamped change) {
        return new PendingChange(null, change);
    }

    /** The same change in its converted form only; what the transaction buffer keeps in memory. */
    PendingChange compact(RecordConverter converter) {
        return converted != null ? this : new PendingChange(null, converter.convert(raw));
    }

    /** Heap held by the converted form (what the buffer keeps); a raw record is not counted. */
    long approxBytes() {
        if (converted == null) return 0;
        return io.tideline.api.ChangeEvent.approxBytes(converted.key(), converted.before(), converted.after(), converted.source());
    }

    Unstamped unstamped(RecordConverter converter) {
        return converted != null ? converted : converter.convert(raw);
    }

    /** Spills the raw record; a compacted change is never spilled (only what does not fit in memory is). */
    static final class Codec implements TransactionBuffer.Codec<PendingChange> {
        private final SourceRecordCodec records = new SourceRecordCodec();

        @Override
        public byte[] encode(PendingChange change) {
            if (change.raw == null) {
                throw new IllegalStateException("Cannot spill a change that was already converted for memory."
                        + " This is a bug; please report it.");
            }
            return records.encode(change.raw);
        }

        @Override
        public PendingChange decode(byte[] bytes) {
            return of(records.decode(bytes));
        }
    }
}
