package io.tideline.source;

import java.util.HashSet;
import java.util.Set;

/**
 * A PostgreSQL MVCC snapshot as {@code pg_current_snapshot()} prints it ({@code xmin:xmax:xip,...}, 64-bit
 * transaction ids): which transactions' effects a read inside it saw.
 *
 * <p>Rows carry 32-bit transaction ids ({@code xmin}); {@link #sees(long)} widens them against this snapshot's
 * epoch, which is exact for any row still visible (PostgreSQL freezes rows long before their ids wrap).
 */
record PgSnapshot(long xmin, long xmax, Set<Long> xip, String text) {

    private static final long FROZEN_LIMIT = 3; // 0 invalid, 1 bootstrap, 2 frozen: older than every snapshot

    static PgSnapshot parse(String text) {
        String[] parts = text == null ? new String[0] : text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("Cannot read snapshot '" + text + "': expected xmin:xmax:xip as"
                    + " pg_current_snapshot() prints it.");
        }
        Set<Long> xip = new HashSet<>();
        if (!parts[2].isEmpty()) {
            for (String x : parts[2].split(",")) {
                xip.add(Long.parseLong(x.trim()));
            }
        }
        return new PgSnapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Set.copyOf(xip), text);
    }

    /** True when a committed transaction with this 32-bit id was visible to the snapshot. */
    boolean sees(long xid32) {
        if (xid32 < FROZEN_LIMIT) return true;
        long xid = widen(xid32);
        return xid < xmin || (xid < xmax && !xip.contains(xid));
    }

    /** True when the (32-bit) transaction was still running for this snapshot. */
    boolean inProgress(long xid32) {
        return xid32 >= FROZEN_LIMIT && xip.contains(widen(xid32));
    }

    /** The 64-bit id closest below {@code xmax + 2^31} whose low 32 bits are {@code xid32}. */
    long widen(long xid32) {
        long low = xid32 & 0xFFFF_FFFFL;
        long candidate = (xmax & ~0xFFFF_FFFFL) | low;
        if (candidate > xmax + (1L << 31)) candidate -= 1L << 32;
        else if (candidate < xmax - (1L << 31)) candidate += 1L << 32;
        return candidate;
    }

    @Override
    public String toString() {
        return text;
    }
}
