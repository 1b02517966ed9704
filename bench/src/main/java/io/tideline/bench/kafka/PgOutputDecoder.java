package io.tideline.bench.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The smallest pgoutput (protocol version 1) decoder the floor needs: Relation messages give column names,
 * Insert messages give the new row in text format; Commit gives the LSN to confirm. Everything else is skipped.
 */
final class PgOutputDecoder {
    /** Receives decoded messages. */
    interface Handler {
        void insert(String[] columns, String[] values);

        void commit(long endLsn);
    }

    private final Map<Integer, String[]> relations = new HashMap<>();

    void decode(ByteBuffer b, Handler handler) {
        byte type = b.get();
        switch (type) {
            case 'R' -> relation(b);
            case 'I' -> insert(b, handler);
            case 'C' -> {
                b.get(); // flags
                b.getLong(); // commit LSN
                handler.commit(b.getLong());
            }
            default -> {
                // Begin, Type, Origin, Update, Delete, Truncate: the benchmark only inserts
            }
        }
    }

    private void relation(ByteBuffer b) {
        int id = b.getInt();
        cstring(b); // namespace
        cstring(b); // name
        b.get(); // replica identity
        String[] columns = new String[b.getShort()];
        for (int i = 0; i < columns.length; i++) {
            b.get(); // flags
            columns[i] = cstring(b);
            b.getInt(); // type oid
            b.getInt(); // type modifier
        }
        relations.put(id, columns);
    }

    private void insert(ByteBuffer b, Handler handler) {
        int id = b.getInt();
        String[] columns = relations.get(id);
        if (columns == null) {
            throw new IllegalStateException("Cannot decode an Insert: relation " + id + " was never described."
                    + " The stream must start at a transaction boundary.");
        }
        b.get(); // 'N'
        String[] values = new String[b.getShort()];
        for (int i = 0; i < values.length; i++) {
            byte kind = b.get();
            if (kind == 't') {
                byte[] bytes = new byte[b.getInt()];
                b.get(bytes);
                values[i] = new String(bytes, StandardCharsets.UTF_8);
            } else if (kind != 'n' && kind != 'u') {
                throw new IllegalStateException("Cannot decode a tuple column of kind '" + (char) kind
                        + "': only text format is supported. Use proto_version 1 without binary.");
            }
        }
        handler.insert(columns, values);
    }

    private static String cstring(ByteBuffer b) {
        int start = b.position();
        while (b.get() != 0) {
            // scan to the terminator
        }
        return new String(b.array(), b.arrayOffset() + start, b.position() - start - 1, StandardCharsets.UTF_8);
    }
}
