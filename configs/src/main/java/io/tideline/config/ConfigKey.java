package io.tideline.config;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The definition of one property: name, type, default (or required), documentation and validator.
 * Build with {@link #builder(String, ConfigType)}.
 */
public final class ConfigKey {
    /** How a property without a value in the file is treated. */
    public enum Presence { REQUIRED, DEFAULTED, OPTIONAL }

    private final String name;
    private final ConfigType type;
    private final Presence presence;
    private final Supplier<String> defaultValue;
    private final String defaultDoc;
    private final String doc;
    private final String group;
    private final List<Validator> validators;

    private ConfigKey(Builder b) {
        this.name = b.name;
        this.type = b.type;
        this.presence = b.presence;
        this.defaultValue = b.defaultValue;
        this.defaultDoc = b.defaultDoc;
        this.doc = Objects.requireNonNull(b.doc, () -> "doc of " + b.name);
        this.group = b.group;
        this.validators = List.copyOf(b.validators);
    }

    public static Builder builder(String name, ConfigType type) {
        return new Builder(name, type);
    }

    public String name() {
        return name;
    }

    public ConfigType type() {
        return type;
    }

    public Presence presence() {
        return presence;
    }

    /** The raw default, evaluated now (some defaults depend on the machine, e.g. the number of cores). */
    public String defaultValue() {
        return defaultValue == null ? null : defaultValue.get();
    }

    /** The default as the documentation shows it. */
    public String defaultDoc() {
        return switch (presence) {
            case REQUIRED -> "(required)";
            case OPTIONAL -> defaultDoc == null ? "(none)" : defaultDoc;
            case DEFAULTED -> defaultDoc != null ? defaultDoc : defaultValue.get();
        };
    }

    /** Whether the default is computed at load time (the documentation then describes it in words). */
    public boolean defaultIsComputed() {
        return presence == Presence.DEFAULTED && defaultDoc != null;
    }

    public String doc() {
        return doc;
    }

    public String group() {
        return group;
    }

    public List<Validator> validators() {
        return validators;
    }

    /** Accepted values as the documentation shows them. */
    public String validValues() {
        return validators.stream().map(Validator::describe).filter(s -> !s.isEmpty()).reduce((a, b) -> a + "; " + b)
                .orElse("");
    }

    /** Parses and validates a raw value. */
    Object parse(String raw) throws InvalidValueException {
        Object value = type.parse(raw);
        for (Validator v : validators) {
            v.ensureValid(value);
        }
        return value;
    }

    public static final class Builder {
        private final String name;
        private final ConfigType type;
        private Presence presence = Presence.OPTIONAL;
        private Supplier<String> defaultValue;
        private String defaultDoc;
        private String doc;
        private String group = "General";
        private final java.util.ArrayList<Validator> validators = new java.util.ArrayList<>();

        private Builder(String name, ConfigType type) {
            this.name = Objects.requireNonNull(name);
            this.type = Objects.requireNonNull(type);
        }

        public Builder defaultValue(String value) {
            Objects.requireNonNull(value);
            this.presence = Presence.DEFAULTED;
            this.defaultValue = () -> value;
            return this;
        }

        /** A default computed when the configuration is loaded; {@code shown} is what the documentation prints. */
        public Builder defaultValue(Supplier<String> value, String shown) {
            this.presence = Presence.DEFAULTED;
            this.defaultValue = Objects.requireNonNull(value);
            this.defaultDoc = shown;
            return this;
        }

        public Builder required() {
            this.presence = Presence.REQUIRED;
            this.defaultValue = null;
            return this;
        }

        /** No default; the accessor returns null when unset. {@code shown} explains the absence in the docs. */
        public Builder optional(String shown) {
            this.presence = Presence.OPTIONAL;
            this.defaultValue = null;
            this.defaultDoc = shown;
            return this;
        }

        public Builder doc(String doc) {
            this.doc = doc;
            return this;
        }

        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder validator(Validator validator) {
            this.validators.add(validator);
            return this;
        }

        public Builder allowedValues(String... values) {
            return validator(Validators.oneOf(values));
        }

        public ConfigKey build() {
            return new ConfigKey(this);
        }
    }
}
