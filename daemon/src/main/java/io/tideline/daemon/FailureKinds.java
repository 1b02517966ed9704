package io.tideline.daemon;

import io.tideline.config.ConfigException;
import io.tideline.runtime.FailureKind;
import io.tideline.sink.NameClaims;
import io.tideline.sink.iceberg.ValueConversionException;
import io.tideline.sink.kafka.KafkaGapException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Sorts a failed attempt's cause for the runtime: an outage of PostgreSQL or Kafka (connection refused or reset, a
 * server shutting down, timeouts, a leader moving) or of a disk (full, read-only) is waited out; what retrying cannot fix (authentication, a missing
 * database, table or slot, a record too large, a value an Iceberg column cannot hold) stops the daemon at once; anything else counts towards
 * {@code tideline.runtime.restart.max.failures}.
 */
final class FailureKinds {

    private FailureKinds() {
    }

    static FailureKind of(Throwable failure) {
        boolean transientSeen = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (permanent(t)) return FailureKind.PERMANENT;
            if (transientCause(t)) transientSeen = true;
        }
        return transientSeen ? FailureKind.TRANSIENT : FailureKind.UNKNOWN;
    }

    private static boolean permanent(Throwable t) {
        if (t instanceof ConfigException || t instanceof UnknownHostException || t instanceof KafkaGapException
                || t instanceof ValueConversionException || t instanceof NameClaims.SinkNameClashException) {
            return true;
        }
        if (t instanceof SQLException e && e.getSQLState() != null) {
            String state = e.getSQLState();
            // 28: invalid authorization; 3D000: no such database; 42501: insufficient privilege; 42P01: no such table
            if (state.startsWith("28") || state.equals("3D000") || state.equals("42501") || state.equals("42P01")) return true;
        }
        String cls = t.getClass().getName();
        if (cls.equals("org.apache.kafka.common.errors.AuthenticationException")
                || cls.equals("org.apache.kafka.common.errors.SaslAuthenticationException")
                || cls.equals("org.apache.kafka.common.errors.TopicAuthorizationException")
                || cls.equals("org.apache.kafka.common.errors.ClusterAuthorizationException")
                || cls.equals("org.apache.kafka.common.errors.RecordTooLargeException")) {
            return true;
        }
        String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("it is a different postgresql cluster") || m.contains("it holds changes of postgresql cluster")) return true;
        if (m.contains("no longer available on the server")) return true;   // Debezium: the slot's stream is gone
        return m.contains("replication slot") && (m.contains("does not exist") || m.contains("no longer available"));
    }

    private static boolean transientCause(Throwable t) {
        if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof SocketTimeoutException
                || t instanceof EOFException || t instanceof SocketException) {
            return true;
        }
        if (t instanceof SQLException e && e.getSQLState() != null) {
            String state = e.getSQLState();
            // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53300: too many connections
            if (state.startsWith("08") || state.startsWith("57P0") || state.equals("53300")) return true;
        }
        for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
            String n = c.getName();
            if (n.equals("org.apache.kafka.common.errors.RetriableException")
                    || n.equals("org.apache.kafka.connect.errors.RetriableException")
                    || n.equals("org.apache.kafka.common.errors.DisconnectException")) {
                return true;
            }
        }
        String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("connection refused") || m.contains("connection reset") || m.contains("terminating connection")
                || m.contains("the database system is starting up") || m.contains("the database system is shutting down")
                || m.contains("an i/o error occurred") || diskOutage(m);
    }

    /**
     * A full or read-only disk (the state directory, a local warehouse): the operator frees space or remounts, and
     * the epoch replays. Nothing was acknowledged past what is durable, so waiting loses nothing.
     */
    private static boolean diskOutage(String message) {
        return message.contains("no space left on device") || message.contains("read-only file system")
                || message.contains("disk quota exceeded");
    }
}
