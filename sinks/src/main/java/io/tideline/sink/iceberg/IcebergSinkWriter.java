package io.tideline.sink.iceberg;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.SinkWriter;
import io.tideline.api.TableId;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writer {@code index} of {@code writers}: owns the tables whose source table hashes to it, buffers their changes
 * and commits one snapshot per table at {@link #prepare}. On open it reads the fence of every table it owns, so
 * {@link #prepare} reports what the tables held before start-up even when a replayed epoch adds nothing.
 */
final class IcebergSinkWriter implements SinkWriter {

    private static final Logger LOG = LoggerFactory.getLogger(IcebergSinkWriter.class);

    private final IcebergSink sink;
    private final int index;
    private final int writers;
    private final Map<TableId, TableWriter> tables = new LinkedHashMap<>();
    private long skipped;

    IcebergSinkWriter(IcebergSink sink, int index, int writers) {
        this.sink = sink;
        this.index = index;
        this.writers = writers;
        for (Map.Entry<TableId, TableIdentifier> e : sink.existingTables().entrySet()) {
            if (Math.floorMod(e.getKey().hashCode(), writers) != index) continue;
            Table table = sink.catalog().loadTable(e.getValue());
            sink.knownTables().add(e.getValue());
            if (table.schema().identifierFieldIds().isEmpty()) sink.markKeyless(e.getKey());
            tables.put(e.getKey(), new TableWriter(sink, e.getKey(), e.getValue().toString(), table, index));
        }
    }

    @Override
    public void write(ChangeEvent event, long epoch) {
        if (Math.floorMod(event.table().hashCode(), writers) != index) {
            throw new IllegalArgumentException("Cannot write change of " + event.table() + " to Iceberg writer " + index
                    + " of " + writers + ": the table belongs to writer " + Math.floorMod(event.table().hashCode(), writers)
                    + ". Route changes with IcebergSink.writerFor.");
        }
        if (sink.parked(event.table()) != null) {
            skipped++;   // set aside until a restart after the fix replays it from the held position
            return;
        }
        if (event.key() == null && event.op() != Op.TRUNCATE) sink.markKeyless(event.table());
        TableWriter table = tables.get(event.table());
        if (table == null) {
            if (event.image() == null && event.op() == Op.TRUNCATE) {
                LOG.info("Skipping TRUNCATE of {}: its Iceberg table does not exist yet", event.table());
                return;
            }
            TableIdentifier id = sink.tableFor(event.table());
            table = new TableWriter(sink, event.table(), id.toString(), sink.loadOrCreate(event), index);
            tables.put(event.table(), table);
        }
        if (!table.add(event)) skipped++;
    }

    @Override
    public Position prepare(long epoch) {
        Position durable = null;
        for (java.util.Iterator<TableWriter> it = tables.values().iterator(); it.hasNext(); ) {
            TableWriter table = it.next();
            CommittedPosition fence;
            try {
                fence = table.hasPending() ? table.commit(epoch) : table.fence();
            } catch (IncompatibleSchemaChangeException | ValueConversionException e) {
                // One table's change it cannot follow must not stop the others: park it, hold the slot where it stopped.
                sink.park(table.source(), table.fence().position(), e.getMessage());
                it.remove();
                continue;
            }
            durable = Position.max(durable, fence.position());
        }
        if (skipped > 0) {
            LOG.info("Iceberg writer {} skipped {} replayed changes already committed", index, skipped);
            skipped = 0;
        }
        return durable;
    }

    @Override
    public Position holdAt() {
        return sink.holdAt();
    }

    @Override
    public void close() {
        tables.clear();
    }
}
