package io.tideline.bench.kafka;

import java.nio.charset.StandardCharsets;

/**
 * Finds {@code id} and {@code sched_us} in a record value without a JSON tree: a Debezium envelope
 * (with or without schemas) or the floor's flat object. A full parser would cost the consumer more CPU
 * than some of the paths it measures on this 2-core machine.
 */
final class RowJson {
    private static final byte[] AFTER = "\"after\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "\"id\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SCHED = "\"sched_us\":".getBytes(StandardCharsets.US_ASCII);

    private RowJson() {
    }

    /** {id, sched_us}, or null when the value holds no row image (a delete, a tombstone, another message). */
    static long[] parse(byte[] v) {
        if (v == null) {
            return null;
        }
        // Searched from the end: with schemas the payload follows a schema of a few KB, which names "after" only as
        // a field value ("field":"after"), and inside a JSON string the quote before the colon would be escaped.
        int from = lastIndexOf(v, AFTER);
        from = from < 0 ? 0 : from + AFTER.length;
        if (from + 4 < v.length && v[from] == 'n' && v[from + 1] == 'u') {
            return null;
        }
        int id = indexOf(v, ID, from);
        int sched = indexOf(v, SCHED, from);
        if (id < 0 || sched < 0) {
            return null;
        }
        return new long[] {number(v, id + ID.length), number(v, sched + SCHED.length)};
    }

    private static long number(byte[] v, int at) {
        int i = at;
        while (i < v.length && (v[i] == ' ' || v[i] == '"')) {
            i++;
        }
        boolean negative = i < v.length && v[i] == '-';
        if (negative) {
            i++;
        }
        long n = 0;
        int digits = 0;
        while (i < v.length && v[i] >= '0' && v[i] <= '9') {
            n = n * 10 + (v[i++] - '0');
            digits++;
        }
        if (digits == 0) {
            throw new IllegalArgumentException("Cannot read a number at offset " + at + " of "
                    + new String(v, StandardCharsets.UTF_8) + ": no digits. Check the record format.");
        }
        return negative ? -n : n;
    }

    static int lastIndexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
