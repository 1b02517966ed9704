package io.tideline.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The value types a property can have, each with its parser from the raw text of a .properties file. */
public enum ConfigType {
    STRING("string") {
        @Override
        Object parse(String raw) {
            return raw;
        }
    },
    INT("int") {
        @Override
        Object parse(String raw) throws InvalidValueException {
            try {
                return Integer.parseInt(raw.trim());
            } catch (NumberFormatException e) {
                throw new InvalidValueException("which is not an integer");
            }
        }
    },
    /** A TCP port; 0 (pick a free one) is allowed only where a key says so via {@link Validators#port(boolean)}. */
    PORT("port") {
        @Override
        Object parse(String raw) throws InvalidValueException {
            try {
                int port = Integer.parseInt(raw.trim());
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // falls through to the common message
            }
            throw new InvalidValueException("which is not a port (1-65535)");
        }
    },
    BOOLEAN("boolean") {
        @Override
        Object parse(String raw) throws InvalidValueException {
            String v = raw.trim().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return Boolean.parseBoolean(v);
            }
            throw new InvalidValueException("which is not a boolean (true or false)");
        }
    },
    /** {@code 250ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 1d}, or ISO-8601 such as {@code PT5M}. */
    DURATION("duration") {
        private final Pattern simple = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

        @Override
        Object parse(String raw) throws InvalidValueException {
            String v = raw.trim();
            Matcher m = simple.matcher(v);
            try {
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
                }
                if (v.regionMatches(true, 0, "P", 0, 1)) {
                    return Duration.parse(v);
                }
            } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
                // falls through to the common message
            }
            throw new InvalidValueException(
                    "which is not a duration (a whole number with unit ms, s, m, h or d, e.g. 250ms, 10s, 5m)");
        }
    },
    /** Comma-separated; blanks around items and empty items are dropped. */
    LIST("list") {
        @Override
        Object parse(String raw) {
            return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    },
    PASSWORD("password") {
        @Override
        Object parse(String raw) {
            return new Password(raw);
        }
    },
    /** One of the key's allowed values, compared without regard to case and stored in lower case. */
    ENUM("enum") {
        @Override
        Object parse(String raw) {
            return raw.trim().toLowerCase(Locale.ROOT);
        }
    },
    PATH("path") {
        @Override
        Object parse(String raw) throws InvalidValueException {
            String v = raw.trim();
            if (v.isEmpty()) {
                throw new InvalidValueException("which is not a path");
            }
            try {
                return Path.of(v);
            } catch (RuntimeException e) {
                throw new InvalidValueException("which is not a path");
            }
        }
    },
    /** Bytes, with binary units: {@code 512}, {@code 64KB}, {@code 128MB}, {@code 1GB}. */
    SIZE("size") {
        private final Pattern size = Pattern.compile("(\\d+)\\s*(b|kb|k|mb|m|gb|g|tb|t)?", Pattern.CASE_INSENSITIVE);

        @Override
        Object parse(String raw) throws InvalidValueException {
            Matcher m = size.matcher(raw.trim());
            if (m.matches()) {
                try {
                    long n = Long.parseLong(m.group(1));
                    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
                    int shift = switch (unit.charAt(0)) {
                        case 'k' -> 10;
                        case 'm' -> 20;
                        case 'g' -> 30;
                        case 't' -> 40;
                        default -> 0;
                    };
                    if (n <= (Long.MAX_VALUE >> shift)) {
                        return n << shift;
                    }
                } catch (NumberFormatException e) {
                    // falls through to the common message
                }
            }
            throw new InvalidValueException("which is not a size (a whole number with unit B, KB, MB, GB or TB, e.g. 128MB)");
        }
    };

    private final String docName;

    ConfigType(String docName) {
        this.docName = docName;
    }

    /** The name shown in the generated documentation. */
    public String docName() {
        return docName;
    }

    abstract Object parse(String raw) throws InvalidValueException;

    /** A duration written as a config value is ({@code 90s}, {@code 5m}, {@code PT5M}), for command-line options. */
    public static Duration duration(String raw) throws InvalidValueException {
        return (Duration) DURATION.parse(raw);
    }

    static List<ConfigType> all() {
        return List.of(values());
    }
}
