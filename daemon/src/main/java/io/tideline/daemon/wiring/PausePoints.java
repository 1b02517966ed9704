package io.tideline.daemon.wiring;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named places in the epoch protocol where the daemon can be told to stop and wait, so a fault test can
 * {@code kill -9} it at exactly that instant (mid-epoch, during prepare, between a sink's commit and the
 * ledger write, right after an epoch commit). Off unless {@code TIDELINE_PAUSE_AT} is set, e.g.
 * {@code prepare:kafka@2} = the second time the Kafka sink starts to prepare an epoch.
 *
 * <p>Points: {@code write:<sink>}, {@code prepare:<sink>}, {@code prepared:<sink>} (the sink made the epoch
 * durable, the ledger is not yet written), {@code committed} (ledger written, source not yet acknowledged),
 * {@code acknowledged} (ledger written and source acknowledged).
 */
public final class PausePoints {

    public static final String ENV = "TIDELINE_PAUSE_AT";
    /** Printed on stderr when a pause point is reached; fault tests wait for this line. */
    public static final String MARKER = "TIDELINE PAUSED AT ";

    private static final Logger LOG = LoggerFactory.getLogger(PausePoints.class);

    private final String point;
    private final long occurrence;
    private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();

    private PausePoints(String point, long occurrence) {
        this.point = point;
        this.occurrence = occurrence;
    }

    /** Null when no pause point is configured: the wiring then adds no decorators at all. */
    public static PausePoints fromEnvironment(Map<String, String> env) {
        String spec = env.get(ENV);
        if (spec == null || spec.isBlank()) return null;
        int at = spec.lastIndexOf('@');
        try {
            return at < 0 ? new PausePoints(spec.trim(), 1)
                    : new PausePoints(spec.substring(0, at).trim(), Long.parseLong(spec.substring(at + 1).trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot read " + ENV + "='" + spec
                    + "': expected <point>[@<occurrence>], e.g. prepare:kafka@2.", e);
        }
    }

    void reach(String name) {
        if (!point.equals(name)) return;
        long n = seen.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
        if (n != occurrence) return;
        LOG.warn("Pause point {} reached (occurrence {}); waiting to be killed", name, n);
        System.err.println(MARKER + name + "@" + n);
        System.err.flush();
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // a pause point holds even against interrupts: only a kill ends it
            }
        }
    }
}
