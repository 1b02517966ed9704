package io.tideline.sink.kafka;

/** A change could not be made durable in Kafka; the epoch fails and is replayed. */
public final class KafkaSendException extends Exception {

    public KafkaSendException(String message, Throwable cause) {
        super(message, cause);
    }
}
