package io.tideline.config;

/** Checks a parsed value; throws with the tail of a sentence ("which is ...") when it is not acceptable. */
@FunctionalInterface
public interface Validator {
    void ensureValid(Object value) throws InvalidValueException;

    /** Describes the accepted values for the documentation; empty when the type says it all. */
    default String describe() {
        return "";
    }
}
