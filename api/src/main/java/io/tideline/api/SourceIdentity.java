package io.tideline.api;

/**
 * Which PostgreSQL cluster positions come from: its {@code system_identifier} and timeline. LSNs are comparable only
 * within one cluster, so every sink records the identity next to its positions and refuses to fence a new cluster's
 * changes against another one's. Set by the source once it connected; read by sinks when they open a fence.
 */
public final class SourceIdentity {

    private volatile String systemId;
    /** Built once per connection, not per record: every Kafka record and Iceberg commit carries it. */
    private volatile String text;

    /** The identity as sinks record it: {@code <system_identifier>/<timeline>}; null before the source connected. */
    public String text() {
        return text;
    }

    public String systemId() {
        return systemId;
    }

    public void set(String systemId, long timeline) {
        this.text = systemId + "/" + timeline;
        this.systemId = systemId;
    }

    /**
     * Whether what a sink recorded ({@link #text()} of the source that wrote it) may be fenced against this source:
     * true unless both are known and name different clusters (the timeline may differ: a promotion keeps LSNs).
     */
    public boolean sameClusterAs(String recorded) {
        String current = systemId;
        String held = systemIdOf(recorded);
        return current == null || held == null || held.equals(current);
    }

    /** The system identifier part of a recorded {@link #text()}. */
    public static String systemIdOf(String text) {
        if (text == null) return null;
        int slash = text.indexOf('/');
        return slash < 0 ? text : text.substring(0, slash);
    }
}
