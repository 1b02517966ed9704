package io.tideline.daemon;

/** The configuration is well-formed but the world does not match it (unreachable server, missing table...). */
public class EnvironmentException extends RuntimeException {
    public EnvironmentException(String message) {
        super(message);
    }
}
