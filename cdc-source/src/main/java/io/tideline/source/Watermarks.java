package io.tideline.source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes the snapshot's watermarks: logical decoding messages under {@link StreamGate#PREFIX}, non-transactional, so
 * each sits in the WAL where it was written. The same statement takes a transaction id, so that its commit flushes
 * the WAL up to the message: the walsender decodes only flushed WAL, and a non-transactional message alone waited
 * for the WAL writer ({@code wal_writer_delay}, 200 ms by default) on a server with nothing else committing, which
 * left a snapshot's reader threads waiting on their own watermarks (PostgreSQL 15 skips the empty transaction when
 * decoding; older servers send an empty BEGIN/COMMIT, which the stream passes over).
 */
final class Watermarks {

    private Watermarks() {
    }

    /** Emits {@code content} as a watermark on {@code c}, which must be in auto-commit mode. */
    static void emit(Connection c, String content) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT pg_logical_emit_message(false, ?, ?), txid_current()")) {
            st.setString(1, StreamGate.PREFIX);
            st.setString(2, content);
            st.execute();
        }
    }
}
