package io.tideline.source;

import io.debezium.connector.postgresql.PostgresStreamingChangeEventSource.PgConnectionSupplier;
import io.tideline.api.Op;
import io.tideline.api.Row;
import org.apache.kafka.connect.data.Struct;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.postgresql.core.BaseConnection;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads chunks on one connection of its own: opens the chunk's window, reads the chunk with {@code COPY} inside a
 * repeatable-read transaction, keeps the rows the base snapshot saw, hands them to the gate and writes the chunk's
 * watermark. Not thread-safe: one reader per snapshot thread.
 */
final class ChunkReader implements AutoCloseable {

    private final Connection connection;
    private final StreamGate gate;
    private final ValueConverter values;
    private final PgConnectionSupplier supplier;

    ChunkReader(Connection connection, StreamGate gate, String placeholder) throws SQLException {
        this.connection = connection;
        this.gate = gate;
        this.values = new ValueConverter(new TypeConverter(), placeholder);
        BaseConnection base = connection.unwrap(BaseConnection.class);
        this.supplier = () -> base;
    }

    /**
     * Reads the chunk, retrying when a read raced a commit (see {@link StreamGate}); returns once it is handed on,
     * with the number of rows handed on.
     */
    int read(Chunk chunk, TableLayout layout, ChunkRowDecoder.TableDecoder decoder) throws Exception {
        PgSnapshot base = gate.base(chunk.table());
        for (int attempt = 0; ; attempt++) {
            StreamGate.Window w = gate.open(chunk, attempt);
            boolean handed = false;
            try {
                connection.setAutoCommit(false);
                try (Statement st = connection.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                PgSnapshot read;
                long readLsn;
                try (Statement st = connection.createStatement();
                     ResultSet rs = st.executeQuery("SELECT pg_current_snapshot()::text, pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
                    rs.next();
                    read = PgSnapshot.parse(rs.getString(1));
                    readLsn = rs.getLong(2);
                }
                if (gate.racedBefore(w, read) != null) {
                    connection.rollback();
                    continue;
                }
                List<String> lines = copy(layout.copySql(chunk));
                connection.commit();
                connection.setAutoCommit(true);
                StreamGate.ChunkRows rows = decode(lines, base, decoder, readLsn, layout.keyed());
                w.rows = rows;
                Watermarks.emit(connection, w.watermark());
                handed = true;
                return rows.rows().size();
            } catch (Exception e) {
                if (w.rows != null && !gate.abandon(w)) {
                    handed = true; // the watermark got out and the stream took the chunk: reading it again would double it
                    return w.rows.rows().size();
                }
                throw e;
            } finally {
                if (!handed) {
                    gate.abandon(w);
                    try {
                        if (!connection.getAutoCommit()) connection.rollback();
                    } catch (SQLException ignored) {
                        // the connection is probably gone; the caller reconnects
                    }
                }
            }
        }
    }

    private List<String> copy(String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        CopyOut out = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        byte[] line;
        while ((line = out.readFromCopy()) != null) {
            int len = line.length > 0 && line[line.length - 1] == '\n' ? line.length - 1 : line.length;
            lines.add(new String(line, 0, len, StandardCharsets.UTF_8));
        }
        return lines;
    }

    private StreamGate.ChunkRows decode(List<String> lines, PgSnapshot base, ChunkRowDecoder.TableDecoder decoder,
                                        long readLsn, boolean keyed) {
        List<Unstamped> rows = new ArrayList<>(lines.size());
        List<RowKey> keys = new ArrayList<>(lines.size());
        List<String> kept = new ArrayList<>(lines.size());
        long now = System.currentTimeMillis();
        Row source = values.row(decoder.source(readLsn, now));
        for (String line : lines) {
            int tab = line.indexOf('\t');
            long xmin = Long.parseLong(tab < 0 ? line : line.substring(0, tab));
            if (!base.sees(xmin)) continue; // created after the base: the stream carries it
            Unstamped u = toChange(line, decoder, source, now);
            // Rows cache their size estimate; the runtime's queues ask for it on the one stream thread, so it is
            // computed here, on the parallel readers.
            io.tideline.api.ChangeEvent.approxBytes(u.key(), null, u.after(), source);
            rows.add(u);
            keys.add(keyed ? RowKey.of(u.key()) : RowKey.of(u.after()));
            kept.add(line);
        }
        return new StreamGate.ChunkRows(rows, keys, kept, decoder.columnNames());
    }

    /** One COPY line (xmin first) as a snapshot read. */
    Unstamped toChange(String line, ChunkRowDecoder.TableDecoder decoder, Row source, long tsMs) {
        return toChange(line, null, decoder, source, tsMs);
    }

    /**
     * One COPY line read with {@code readColumns} (null: the decoder's own) as a snapshot read; how journaled lines
     * are replayed. A journaled chunk may predate a schema change the replay's decoder already knows: its values go
     * to the columns of the same name, a column added since is null (it did not exist at the chunk's position), a
     * column dropped since is left out.
     */
    Unstamped toChange(String line, List<String> readColumns, ChunkRowDecoder.TableDecoder decoder, Row source, long tsMs) {
        String[] cols = CopyText.split(line);
        String[] text = new String[cols.length - 1];
        System.arraycopy(cols, 1, text, 0, text.length);
        List<String> now = decoder.columnNames();
        if (readColumns != null && !readColumns.equals(now)) {
            String[] aligned = new String[now.size()];
            for (int i = 0; i < aligned.length; i++) {
                int at = readColumns.indexOf(now.get(i));
                aligned[i] = at >= 0 && at < text.length ? text[at] : null;
            }
            text = aligned;
        }
        Struct[] kv = decoder.decode(text, supplier);
        return new Unstamped(decoder.table, Op.READ, values.row(kv[0]), null, values.row(kv[1]), source, tsMs);
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
