package io.tideline.source;

import io.tideline.api.Op;
import io.tideline.api.Row;
import io.tideline.api.TableId;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

import java.util.HashMap;
import java.util.Map;

/**
 * Sorts Debezium's records into data changes, transaction boundaries and the rest (heartbeats, logical
 * decoding messages), and converts data changes into {@link Unstamped} changes free of Connect classes. Not
 * thread-safe: driven by the engine's handler thread (its caches).
 */
final class RecordConverter {

    /** What a record is to the position logic. */
    sealed interface Kind permits Change, TransactionBegin, TransactionEnd, Message, Ignored {
    }

    /**
     * A row change, converted only when delivered ({@link #convert}); {@code snapshot} rows carry the
     * consistent-point LSN they were read at.
     */
    record Change(SourceRecord record, boolean snapshot, boolean lastOfSnapshot, long snapshotLsn) implements Kind {
    }

    /** The BEGIN marker of a streamed transaction (sent just before its first change); -1 when it has no id. */
    record TransactionBegin(long xid) implements Kind {
    }

    /** A logical decoding message (not inside a transaction: Tideline's watermarks) at {@code lsn}. */
    record Message(String prefix, String content, long lsn) implements Kind {
    }

    /** The END marker of a streamed transaction, whose offset carries that transaction's commit LSN. */
    record TransactionEnd(long commitLsn) implements Kind {
    }

    record Ignored(String why) implements Kind {
    }

    static final String TRANSACTION_SCHEMA_SUFFIX = "TransactionMetadataValue";
    static final String OFFSET_COMMIT_LSN = "lsn_commit";

    private static final int MAX_TABLES = 4096;

    private final ValueConverter values;
    private final Map<TableId, TableId> tables = new HashMap<>();

    RecordConverter(ValueConverter values) {
        this.values = values;
    }

    Kind classify(SourceRecord record) {
        Schema schema = record.valueSchema();
        if (!(record.value() instanceof Struct value) || schema == null || schema.name() == null) {
            return new Ignored("no value");
        }
        if (schema.name().endsWith(TRANSACTION_SCHEMA_SUFFIX)) {
            if ("BEGIN".equals(value.getString("status"))) {
                return new TransactionBegin(xid(value.getString("id")));
            }
            Object lsn = record.sourceOffset() == null ? null : record.sourceOffset().get(OFFSET_COMMIT_LSN);
            if (!(lsn instanceof Number n)) {
                throw new IllegalStateException("Cannot position transaction " + value.get("id")
                        + ": its END marker has no '" + OFFSET_COMMIT_LSN + "' in offset " + record.sourceOffset()
                        + ". Check that the connector is Debezium's PostgreSQL connector.");
            }
            return new TransactionEnd(n.longValue());
        }
        if (schema.field("message") != null && schema.field("source") != null && "m".equals(value.getString("op"))) {
            return message(value);
        }
        if (schema.field("op") == null || schema.field("source") == null || !isRowOp(value.getString("op"))) {
            // Logical decoding messages (op "m") and anything else that is not a row change.
            return new Ignored(schema.name());
        }
        return change(record, value);
    }

    private Change change(SourceRecord record, Struct value) {
        if (!Op.READ.code().equals(value.getString("op"))) {
            return new Change(record, false, false, -1);
        }
        Struct source = value.getStruct("source");
        Long lsn = source.getInt64("lsn");
        if (lsn == null) {
            lsn = offsetLsn(record.sourceOffset());
        }
        return new Change(record, true, "last".equals(source.getString("snapshot")), lsn);
    }

    private static Message message(Struct value) {
        Struct m = value.getStruct("message");
        Object content = m.get("content");
        byte[] bytes = content instanceof byte[] b ? b
                : content instanceof java.nio.ByteBuffer bb ? bytes(bb) : new byte[0];
        Long lsn = value.getStruct("source").getInt64("lsn");
        return new Message(m.getString("prefix"), new String(bytes, java.nio.charset.StandardCharsets.UTF_8),
                lsn == null ? -1 : lsn);
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** Debezium's transaction id is {@code <xid>} or {@code <xid>:<lsn>}. */
    static long xid(String id) {
        if (id == null || id.isEmpty()) return -1;
        int colon = id.indexOf(':');
        try {
            return Long.parseLong(colon < 0 ? id : id.substring(0, colon));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Whether a data change is a TRUNCATE (it names no row: every row of its table is gone). */
    static boolean isTruncate(SourceRecord record) {
        return Op.TRUNCATE.code().equals(((Struct) record.value()).getString("op"));
    }

    /** The table a data change belongs to. */
    TableId table(SourceRecord record) {
        Struct source = ((Struct) record.value()).getStruct("source");
        return tableId(source.getString("schema"), source.getString("table"));
    }

    /**
     * What a chunk window compares: the change's key for a keyed table; for a table without a key, the old row image
     * (null for an insert, whose new row no chunk can hold: chunks keep only rows older than their table's base).
     */
    RowKey touched(SourceRecord record, boolean keyed) {
        if (keyed) {
            Row key = record.key() instanceof Struct k ? values.row(k) : null;
            return key == null ? null : RowKey.of(key);
        }
        Row before = values.row(((Struct) record.value()).getStruct("before"));
        return before == null ? null : RowKey.of(before);
    }

    private static boolean isRowOp(String op) {
        for (Op o : Op.values()) {
            if (o.code().equals(op)) {
                return true;
            }
        }
        return false;
    }

    /** The change as Tideline values, free of Connect classes. */
    Unstamped convert(SourceRecord record) {
        Struct value = (Struct) record.value();
        Op op = Op.ofCode(value.getString("op"));
        Struct source = value.getStruct("source");
        TableId table = tableId(source.getString("schema"), source.getString("table"));
        Struct key = record.key() instanceof Struct k ? k : null;
        Long tsMs = source.getInt64("ts_ms");
        return new Unstamped(table, op, values.row(key), values.row(value.getStruct("before")),
                values.row(value.getStruct("after")), values.row(source), tsMs == null ? 0L : tsMs);
    }

    /**
     * One TableId per table: Debezium hands over fresh name strings with every change, and every later hash and
     * equality check on the change's table (routing, topic names, operators) is cheap on a shared instance.
     */
    private TableId tableId(String schema, String table) {
        TableId id = new TableId(schema, table);
        TableId shared = tables.get(id);
        if (shared != null) return shared;
        if (tables.size() >= MAX_TABLES) tables.clear();
        tables.put(id, id);
        return id;
    }

    private static long offsetLsn(Map<String, ?> offset) {
        Object lsn = offset == null ? null : offset.get("lsn");
        if (lsn instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalStateException("Cannot position snapshot row: neither its source block nor its offset "
                + offset + " has an LSN. Check that the connector is Debezium's PostgreSQL connector.");
    }
}

