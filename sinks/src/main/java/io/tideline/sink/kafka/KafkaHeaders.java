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
            h.add(POSITION, position.toString().getBytes(StandardCharsets.UTF_8));
            h.add(EPOCH, epochBytes);
            if (source != null) h.add(SOURCE, sourceBytes);
            return h;
        }
    }
}
