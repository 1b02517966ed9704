package io.tideline.sink.iceberg;

import java.time.Duration;

/**
 * Table upkeep settings: how often a background thread compacts small data files and equality deletes, expires
 * old snapshots and rewrites manifests, off the commit path. Immutable; every setter returns a copy.
 *
 * <pre>{@code Upkeep.every(Duration.ofMinutes(5)).snapshotRetention(Duration.ofHours(1)).retainLastSnapshots(20)}</pre>
 */
public final class Upkeep {

    private final Duration interval;
    private final Duration snapshotRetention;
    private final int retainLastSnapshots;
    private final boolean enabled;
    private final int minSmallFiles;
    private final int maxManifests;

    private Upkeep(Duration interval, Duration snapshotRetention, int retainLastSnapshots, boolean enabled,
                   int minSmallFiles, int maxManifests) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("Cannot schedule Iceberg upkeep every " + interval
                    + ": the interval must be positive. Set tideline.sink.iceberg.upkeep.interval to e.g. 5m.");
        }
        this.interval = interval;
        this.snapshotRetention = snapshotRetention;
        this.retainLastSnapshots = Math.max(1, retainLastSnapshots);
        this.enabled = enabled;
        this.minSmallFiles = Math.max(2, minSmallFiles);
        this.maxManifests = Math.max(2, maxManifests);
    }

    /** Upkeep every {@code interval}, snapshots kept 1 hour and at least the last 10. */
    public static Upkeep every(Duration interval) {
        return new Upkeep(interval, Duration.ofHours(1), 10, true, 8, 16);
    }

    /** No background upkeep (for tables someone else maintains). */
    public static Upkeep disabled() {
        return every(Duration.ofMinutes(5)).enabled(false);
    }

    public Upkeep snapshotRetention(Duration retention) {
        return new Upkeep(interval, retention, retainLastSnapshots, enabled, minSmallFiles, maxManifests);
    }

    public Upkeep retainLastSnapshots(int count) {
        return new Upkeep(interval, snapshotRetention, count, enabled, minSmallFiles, maxManifests);
    }

    public Upkeep enabled(boolean on) {
        return new Upkeep(interval, snapshotRetention, retainLastSnapshots, on, minSmallFiles, maxManifests);
    }

    /** Compact when the table has at least this many data files smaller than half the target size (default 8). */
    public Upkeep minSmallFiles(int count) {
        return new Upkeep(interval, snapshotRetention, retainLastSnapshots, enabled, count, maxManifests);
    }

    /** Rewrite manifests when the current snapshot has more than this many (default 16). */
    public Upkeep maxManifests(int count) {
        return new Upkeep(interval, snapshotRetention, retainLastSnapshots, enabled, minSmallFiles, count);
    }

    public Duration interval() {
        return interval;
    }

    public Duration snapshotRetention() {
        return snapshotRetention;
    }

    public int retainLastSnapshots() {
        return retainLastSnapshots;
    }

    public boolean enabled() {
        return enabled;
    }

    public int minSmallFiles() {
        return minSmallFiles;
    }

    public int maxManifests() {
        return maxManifests;
    }

    @Override
    public String toString() {
        return "Upkeep{every=" + interval + ", retention=" + snapshotRetention + ", retainLast=" + retainLastSnapshots
                + ", enabled=" + enabled + ", minSmallFiles=" + minSmallFiles + ", maxManifests=" + maxManifests + "}";
    }
}
