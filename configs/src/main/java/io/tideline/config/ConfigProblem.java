package io.tideline.config;

/** One problem found while loading a configuration: the property it concerns and a full sentence. */
public record ConfigProblem(String key, String message) {
    @Override
    public String toString() {
        return message;
    }
}
