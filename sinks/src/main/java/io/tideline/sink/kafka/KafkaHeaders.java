package io.tideline.sink.kafka;

import io.tideline.api.Position;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/** The headers every Tideline record carries; their names and UTF-8 decimal values are a public contract. */
public final class KafkaHeaders {

    /** {@code <commitLsn>/<index>}, as {@link Position#toString()}. */
    public static final String POSITION = "tideline.position";
    /** The epoch id the change was written in. */
    public static final String EPOCH = "tideline.epoch";
    /** {@code <system_identifier>/<timeline>} of the PostgreSQL cluster the change comes from. */
    public static final String SOURCE = "tideline.source";

    private KafkaHeaders() {
    }

    static Headers of(Position position, long epoch, String source) {
        return new Encoder().of(position, epoch, source);
    }

    /** {@code <commitLsn>/<index>} as {@link Position#toString()} spells it, in UTF-8, without a String per record. */
    static byte[] positionBytes(Position position) {
        long lsn = position.commitLsn();
        long index = position.index();
        if (lsn < 0 || index < 0) return position.toString().getBytes(StandardCharsets.UTF_8); // unsigned / signed forms
        int lsnDigits = digits(lsn);
        byte[] out = new byte[lsnDigits + 1 + digits(index)];
        decimal(out, lsnDigits, lsn);
        out[lsnDigits] = '/';
        decimal(out, out.length, index);
        return out;
    }

    private static int digits(long v) {
        int n = 1;
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** Writes {@code v} (not negative) so that its last digit is at {@code end - 1}. */
    private static void decimal(byte[] out, int end, long v) {
        int i = end;
        do {
            out[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
    }

    /**
     * One writer's headers: the epoch and source values change once per epoch or never, so they are encoded once
     * and their bytes shared by the records (the producer only reads them). Not thread-safe.
     */
    static final class Encoder {
        private long epoch;
        private byte[] epochBytes;
        private String source;
        private byte[] sourceBytes;

        Headers of(Position position, long epoch, String source) {
            if (epochBytes == null || epoch != this.epoch) {
                this.epoch = epoch;
                epochBytes = Long.toString(epoch).getBytes(StandardCharsets.UTF_8);
            }
            if (source != null && !source.equals(this.source)) {
                this.source = source;
                sourceBytes = source.getBytes(StandardCharsets.UTF_8);
            }
            RecordHeaders h = new RecordHeaders();
            h.add(POSITION, positionBytes(position));
            h.add(EPOCH, epochBytes);
            if (source != null) h.add(SOURCE, sourceBytes);
            return h;
        }
    }
}
