package io.tideline.config;

import java.util.Objects;

/**
 * A secret configuration value. Its {@code toString} never reveals the value, so a password that ends up
 * in a log line or an exception message by accident stays hidden.
 */
public final class Password {
    public static final String HIDDEN = "[hidden]";
    public static final Password EMPTY = new Password("");

    private final String value;

    public Password(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The secret itself; call this only where a library needs it. */
    public String value() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return HIDDEN;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Password p && p.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
