package io.tideline.config;

/**
 * Raised by a type parser or validator with the tail of a sentence, e.g. {@code "which is not a port (1-65535)"};
 * the loader adds the property, the value (unless secret) and the file.
 */
public final class InvalidValueException extends Exception {
    public InvalidValueException(String why) {
        super(why, null, false, false);
    }

    public String why() {
        return getMessage();
    }
}
