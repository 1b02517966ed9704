package io.tideline.sink.iceberg;

/**
 * A source value the Iceberg column cannot hold. Retrying replays the same value into the same column, so the
 * daemon stops at once: the message names the table, the column, the position and the value.
 */
public final class ValueConversionException extends IllegalArgumentException {
    public ValueConversionException(String message, Throwable cause) {
        super(message, cause);
    }
}
