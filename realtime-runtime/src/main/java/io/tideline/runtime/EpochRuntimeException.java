package io.tideline.runtime;

/** The runtime gave up: too many consecutive failed attempts, or it could not start or stop cleanly. */
public final class EpochRuntimeException extends RuntimeException {

    public EpochRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
