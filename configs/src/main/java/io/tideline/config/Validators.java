package io.tideline.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Ready-made validators. */
public final class Validators {
    private Validators() {
    }

    public static Validator atLeast(int min) {
        return new Validator() {
            @Override
            public void ensureValid(Object value) throws InvalidValueException {
                if ((Integer) value < min) {
                    throw new InvalidValueException("which is less than " + min);
                }
            }

            @Override
            public String describe() {
                return ">= " + min;
            }
        };
    }

    public static Validator port(boolean ephemeralAllowed) {
        int min = ephemeralAllowed ? 0 : 1;
        return new Validator() {
            @Override
            public void ensureValid(Object value) throws InvalidValueException {
                if ((Integer) value < min) {
                    throw new InvalidValueException("which is not a port (1-65535)");
                }
            }

            @Override
            public String describe() {
                return ephemeralAllowed ? "0-65535 (0 = any free port)" : "1-65535";
            }
        };
    }

    public static Validator positiveDuration() {
        return new Validator() {
            @Override
            public void ensureValid(Object value) throws InvalidValueException {
                Duration d = (Duration) value;
                if (d.isZero() || d.isNegative()) {
                    throw new InvalidValueException("which is not a positive duration");
                }
            }

            @Override
            public String describe() {
                return "> 0";
            }
        };
    }

    public static Validator positiveSize() {
        return new Validator() {
            @Override
            public void ensureValid(Object value) throws InvalidValueException {
                if ((Long) value <= 0) {
                    throw new InvalidValueException("which is not a positive size");
                }
            }

            @Override
            public String describe() {
                return "> 0";
            }
        };
    }

    public static Validator oneOf(String... allowed) {
        List<String> values = List.of(allowed);
        return new Validator() {
            @Override
            public void ensureValid(Object value) throws InvalidValueException {
                if (!values.contains(value)) {
                    throw new InvalidValueException("which is not one of: " + String.join(", ", values));
                }
            }

            @Override
            public String describe() {
                return String.join(" | ", values);
            }
        };
    }

    /** Every list item matches {@code pattern}; {@code shape} names the expected form in the message. */
    public static Validator eachMatches(String pattern, String shape) {
        Pattern p = Pattern.compile(pattern);
        return new Validator() {
            @Override
            public void ensureValid(Object value) throws InvalidValueException {
                for (Object item : (List<?>) value) {
                    if (!p.matcher(item.toString()).matches()) {
                        throw new InvalidValueException("whose item '" + item + "' is not " + shape);
                    }
                }
            }

            @Override
            public String describe() {
                return "items of the form " + shape;
            }
        };
    }

    public static Validator nonEmptyString() {
        return new Validator() {
            @Override
            public void ensureValid(Object value) throws InvalidValueException {
                if (value.toString().isBlank()) {
                    throw new InvalidValueException("which is empty");
                }
            }
        };
    }
}
