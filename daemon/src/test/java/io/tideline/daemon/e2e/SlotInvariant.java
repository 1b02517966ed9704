package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The slot never acknowledges past what a sink holds. Read the slot first, the sink second: the first transaction
 * not yet whole in the sink has a commit LSN above the LSN taken after its predecessor committed, so the slot's
 * {@code confirmed_flush_lsn} must not be past that.
 */
final class SlotInvariant {

    private final String slot;
    private final String sink;
    private final List<String> violations = new ArrayList<>();
    private int checks;

    SlotInvariant(String slot, String sink) {
        this.slot = slot;
        this.sink = sink;
    }

    /** The slot's {@code confirmed_flush_lsn} as a number (0 before it confirmed anything); read it before the sink. */
    long confirmed(Connection probe) throws Exception {
        try (Statement st = probe.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(confirmed_flush_lsn - '0/0'::pg_lsn, 0) FROM pg_replication_slots"
                     + " WHERE slot_name = '" + slot + "'")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * One look. {@code confirmed} and then {@code lastCommitted} were read before the sink; {@code have} is, per
     * transaction seq, how many of its changes the sink held.
     */
    void check(long confirmed, long lastCommitted, Workload workload, Map<Long, Integer> have) {
        for (long s = 1; s <= lastCommitted; s++) {
            if (have.getOrDefault(s, 0) < workload.changes(s)) {
                long bound = workload.lsnAfterCommit(s - 1);
                if (confirmed > bound) {
                    violations.add("confirmed_flush_lsn " + confirmed + " > " + bound + " while transaction " + s
                            + " had " + have.getOrDefault(s, 0) + " of " + workload.changes(s) + " changes in " + sink);
                }
                break;
            }
        }
        checks++;
    }

    void assertHeld(int minChecks) {
        assertTrue(violations.isEmpty(), "confirmed_flush_lsn passed a change not yet in " + sink + ": " + violations);
        assertTrue(checks > minChecks, "the slot was checked while the daemon ran (" + checks + " checks)");
    }
}
