package io.tideline.sink.kafka;

/**
 * A partition holds changes an earlier attempt wrote after a change it does not hold: a send failed while later
 * batches of the partition were accepted. Skipping would lose the change and acknowledging past it would make the
 * loss permanent, so the daemon stops; retrying cannot help.
 */
public final class KafkaGapException extends IllegalStateException {

    public KafkaGapException(String message) {
        super(message);
    }
}
