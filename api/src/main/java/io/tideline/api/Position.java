package io.tideline.api;

/**
 * Where a change sits in the source stream: the commit LSN of its transaction and its index inside that
 * transaction. pgoutput delivers transactions in commit order, so positions increase along the stream and
 * totally order every change. Written as {@code <commitLsn>/<index>} in decimal; that text is a user-facing
 * contract (Kafka header {@code tideline.position}, Iceberg summary {@code tideline.position}).
 */
public record Position(long commitLsn, long index) implements Comparable<Position> {

    /** Before every real position: what a sink holds when it holds nothing. */
    public static final Position ZERO = new Position(0, -1);

    // commitLsn is an unsigned 64-bit LSN: compared and printed unsigned, so every LSN PostgreSQL can produce fits.

    @Override
    public int compareTo(Position o) {
        int c = Long.compareUnsigned(commitLsn, o.commitLsn);
        return c != 0 ? c : Long.compare(index, o.index);
    }

    public boolean isAfter(Position o) {
        return compareTo(o) > 0;
    }

    public boolean isAtOrBefore(Position o) {
        return compareTo(o) <= 0;
    }

    public static Position max(Position a, Position b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.compareTo(b) >= 0 ? a : b;
    }

    public static Position min(Position a, Position b) {
        if (a == null) return b;
        if (b == null) return a;
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Parses {@code <commitLsn>/<index>}; the error names the text that could not be read. */
    public static Position parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("Cannot parse position '" + text
                    + "': expected <commitLsn>/<index> in decimal, e.g. 23456789/3.");
        }
        try {
            return new Position(Long.parseUnsignedLong(text.substring(0, slash)), Long.parseLong(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot parse position '" + text
                    + "': expected <commitLsn>/<index> in decimal, e.g. 23456789/3.", e);
        }
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(commitLsn) + "/" + index;
    }
}
