package io.tideline.source;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Keeps an idle capture from pinning WAL. Only transaction ends and watermarks can be acknowledged, so while the
 * captured tables are idle and the rest of the database writes, the slot would hold every byte of it. Every
 * {@code interval} this writes a heartbeat (a non-transactional logical decoding message, which reaches the stream
 * whatever the publication holds); the stream hands its position on as progress, and the epoch that ends there
 * acknowledges it like any other. It also measures the WAL the slot retains and warns above a bound.
 */
final class Heartbeats implements AutoCloseable {

    static final String CONTENT = "h";
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeats.class);
    private static final long WARN_EVERY_MS = 600_000;

    private final Callable<Connection> connections;
    private final String slot;
    private final Duration interval;
    private final long warnBytes;
    private volatile long retainedWalBytes = -1;
    private volatile boolean stopped;
    private Thread thread;
    private long warnedAt;

    Heartbeats(Callable<Connection> connections, String slot, Duration interval, long warnBytes) {
        this.connections = connections;
        this.slot = slot;
        this.interval = interval;
        this.warnBytes = warnBytes;
    }

    static boolean is(String content) {
        return CONTENT.equals(content);
    }

    /** WAL the slot holds back ({@code pg_current_wal_lsn() - restart_lsn}), or -1 before the first look. */
    long retainedWalBytes() {
        return retainedWalBytes;
    }

    void start() {
        if (interval.isZero() || interval.isNegative()) return;
        thread = new Thread(this::loop, "tideline-heartbeat");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        Connection c = null;
        while (!stopped) {
            try {
                if (c == null || c.isClosed()) c = connections.call();
                beat(c);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // PostgreSQL is away: the stream fails too, and the runtime restarts it; try again next time
                LOG.debug("Heartbeat failed: {}", e.toString());
                close(c);
                c = null;
            }
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                break;
            }
        }
        close(c);
    }

    private void beat(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_logical_emit_message(false, ?, ?)")) {
            st.setString(1, StreamGate.PREFIX);
            st.setString(2, CONTENT);
            st.execute();
        }
        try (PreparedStatement st = c.prepareStatement("SELECT (pg_current_wal_lsn() - restart_lsn)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, slot);
            try (ResultSet rs = st.executeQuery()) {
                if (rs.next()) retainedWalBytes = Math.max(0, rs.getLong(1));
            }
        }
        long now = System.currentTimeMillis();
        if (warnBytes > 0 && retainedWalBytes > warnBytes && now - warnedAt > WARN_EVERY_MS) {
            warnedAt = now;
            LOG.warn("Slot '{}' retains {} MiB of WAL (warning above {} MiB): the capture is behind or a sink cannot"
                    + " commit; the disk of PostgreSQL fills until it catches up. See /health/ready and the log above.",
                    slot, retainedWalBytes >> 20, warnBytes >> 20);
        }
    }

    private static void close(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken
        }
    }

    @Override
    public void close() {
        stopped = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
