package io.tideline.sink.iceberg;

import io.tideline.api.ChangeEvent;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.TableId;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.RollingDataWriter;
import org.apache.iceberg.io.RollingEqualityDeleteWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * One Iceberg table as seen by one sink writer: the pending batch, the fence, and the commit that turns the batch
 * into one snapshot carrying {@code tideline.position} / {@code tideline.epoch}.
 */
final class TableWriter {

    private static final Logger LOG = LoggerFactory.getLogger(TableWriter.class);

    private final IcebergSink sink;
    private final TableId source;
    private final String name;
    private final Table table;
    private final int writerIndex;
    private final List<ChangeEvent> pending = new ArrayList<>();
    private CommittedPosition fence;
    private FieldType evolvedFor;
    private RuntimeException stopped;

    TableWriter(IcebergSink sink, TableId source, String name, Table table, int writerIndex) {
        this.sink = sink;
        this.source = source;
        this.name = name;
        this.table = table;
        this.writerIndex = writerIndex;
        this.fence = sink.sourceFence(name, table, CommittedPosition.of(table));
    }

    TableId source() {
        return source;
    }

    CommittedPosition fence() {
        return fence;
    }

    boolean upsert() {
        return sink.writeMode() == WriteMode.UPSERT && !table.schema().identifierFieldNames().isEmpty();
    }

    /** Buffers a change the table does not hold yet; returns false when the fence skipped it. */
    boolean add(ChangeEvent e) {
        if (stopped != null) throw stopped;
        if (fence.holds(e.position())) return false;
        pending.add(e);
        return true;
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Commits the pending batch (retrying on conflicts) and returns the table's fence afterwards. */
    CommittedPosition commit(long epoch) {
        if (stopped != null) throw stopped;
        if (pending.isEmpty()) return fence;
        Lock lock = sink.lockFor(name);
        lock.lock();
        try {
            for (int attempt = 1; attempt <= sink.maxCommitAttempts(); attempt++) {
                if (tryCommit(epoch)) {
                    pending.clear();
                    return fence;
                }
                sink.metrics().conflict(name);
                LOG.info("Iceberg commit to {} conflicted with another commit (attempt {}); re-reading the table", name, attempt);
            }
            throw new IllegalStateException("Cannot commit batch to Iceberg table " + name + ": " + sink.maxCommitAttempts()
                    + " attempts conflicted with other writers. Make sure one Tideline daemon writes each table.");
        } catch (IncompatibleSchemaChangeException e) {
            stopped = e;
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** One attempt; false on a conflict (files already cleaned up). */
    private boolean tryCommit(long epoch) {
        table.refresh();
        Snapshot base = table.currentSnapshot();
        fence = sink.sourceFence(name, table, CommittedPosition.of(table));
        List<ChangeEvent> live = BatchPlan.afterFence(pending, fence);
        if (live.isEmpty()) return true;
        Position highest = BatchPlan.highest(live);
        boolean upsert = upsert();
        // A TRUNCATE empties a mirror table; a changelog keeps its history (truncates are not rows there).
        boolean truncate = upsert && BatchPlan.hasTruncate(live);
        List<ChangeEvent> effective = upsert ? BatchPlan.afterLastTruncate(live) : live;
        evolveSchema(effective);
        List<ChangeEvent> rows = upsert ? BatchPlan.keepLastPerKey(effective) : BatchPlan.fillWithinBatch(effective);

        long started = System.nanoTime();
        Written written = write(rows, upsert, epoch);
        try {
            sink.beforeCommit(name);
            // The fence also goes into the table's properties, in the same atomic commit: maintenance by other tools
            // (a rewrite, then expire_snapshots(retain_last => 1)) can leave an ancestry without our summaries.
            Transaction tx = table.newTransaction();
            if (truncate) {
                source(stamp(overwrite(tx.newOverwrite(), written, base), highest, epoch)).commit();
            } else {
                source(stamp(rowDelta(tx.newRowDelta(), written, base), highest, epoch)).commit();
            }
            var properties = tx.updateProperties().set(SummaryKeys.POSITION, highest.toString()).set(SummaryKeys.EPOCH, Long.toString(epoch));
            if (sink.sourceText() != null) properties.set(SummaryKeys.SOURCE, sink.sourceText());
            properties.commit();
            tx.commitTransaction();
        } catch (ValidationException | CommitFailedException e) {
            written.delete(table);
            return false;
        } catch (CommitStateUnknownException e) {
            // The commit may have landed: keep the files; the epoch fails and its replay is fenced.
            throw e;
        } catch (RuntimeException e) {
            written.delete(table);
            throw e;
        }
        long now = System.currentTimeMillis();
        sink.metrics().commitTimer(name).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        sink.metrics().batch(name, live.size());
        var freshness = sink.metrics().freshness(name);
        for (ChangeEvent e : live) freshness.record(Math.max(0, now - e.commitTimeMs()), TimeUnit.MILLISECONDS);
        fence = new CommittedPosition(highest, epoch);
        sink.recordFiles(name, table.currentSnapshot());
        return true;
    }

    private <T extends SnapshotUpdate<T>> T source(T update) {
        String source = sink.sourceText();
        return source == null ? update : update.set(SummaryKeys.SOURCE, source);
    }

    private static <T extends SnapshotUpdate<T>> T stamp(T update, Position highest, long epoch) {
        return update.set(SummaryKeys.POSITION, highest.toString()).set(SummaryKeys.EPOCH, Long.toString(epoch));
    }

    private static RowDelta rowDelta(RowDelta delta, Written written, Snapshot base) {
        written.dataFiles.forEach(delta::addRows);
        written.deleteFiles.forEach(delta::addDeletes);
        if (base != null) {
            delta.validateFromSnapshot(base.snapshotId()).conflictDetectionFilter(Expressions.alwaysTrue())
                    .validateNoConflictingDataFiles().validateNoConflictingDeleteFiles();
        }
        return delta;
    }

    private static OverwriteFiles overwrite(OverwriteFiles files, Written written, Snapshot base) {
        OverwriteFiles overwrite = files.overwriteByRowFilter(Expressions.alwaysTrue());
        written.dataFiles.forEach(overwrite::addFile);
        if (base != null) {
            overwrite.validateFromSnapshot(base.snapshotId()).conflictDetectionFilter(Expressions.alwaysTrue())
                    .validateNoConflictingData().validateNoConflictingDeletes();
        }
        return overwrite;
    }

    /** Applies schema changes in source order, once per distinct row schema. */
    private void evolveSchema(List<ChangeEvent> changes) {
        for (ChangeEvent e : changes) {
            if (e.after() == null) continue; // a delete's before image may be partial: it never drives evolution
            FieldType rowSchema = e.after().schema();
            if (rowSchema.equals(evolvedFor)) continue;
            if (TableSchemas.evolve(table, name, rowSchema)) {
                LOG.info("Evolved schema of Iceberg table {} to {}", name, table.schema());
            }
            evolvedFor = rowSchema;
        }
    }

    private Written write(List<ChangeEvent> rows, boolean upsert, long epoch) {
        Schema schema = table.schema();
        List<String> keyColumns = keyColumns(rows, upsert);
        List<Records.Built> images = new ArrayList<>(rows.size());
        List<Record> deleteKeys = new ArrayList<>();
        Schema deleteSchema = upsert ? schema.select(keyColumns) : null;
        for (ChangeEvent e : rows) {
            Records.Built built = Records.build(schema, e, e.image());
            if (upsert) {
                deleteKeys.add(Records.keyRecord(deleteSchema, built.record()));
                if (e.op() != Op.DELETE) images.add(built);
            } else {
                images.add(built);
            }
        }
        fillUnchangedFromTable(images, keyColumns);

        GenericFileWriterFactory.Builder factory = new GenericFileWriterFactory.Builder(table)
                .dataFileFormat(FileFormat.PARQUET).dataSchema(schema).deleteFileFormat(FileFormat.PARQUET);
        if (upsert) {
            factory.equalityFieldIds(schema.identifierFieldIds().stream().mapToInt(Integer::intValue).toArray())
                    .equalityDeleteRowSchema(deleteSchema);
        }
        GenericFileWriterFactory writers = factory.build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, writerIndex, epoch).format(FileFormat.PARQUET)
                .operationId(UUID.randomUUID().toString()).build();
        Written written = new Written();
        try {
            if (!images.isEmpty()) {
                RollingDataWriter<Record> data = new RollingDataWriter<>(writers, files, table.io(),
                        sink.targetFileSizeBytes(), table.spec(), null);
                try (data) {
                    for (Records.Built b : images) data.write(b.record());
                }
                written.dataFiles.addAll(data.result().dataFiles());
            }
            if (!deleteKeys.isEmpty()) {
                RollingEqualityDeleteWriter<Record> deletes = new RollingEqualityDeleteWriter<>(writers, files, table.io(),
                        sink.targetFileSizeBytes(), table.spec(), null);
                try (deletes) {
                    for (Record k : deleteKeys) deletes.write(k);
                }
                written.deleteFiles.addAll(deletes.result().deleteFiles());
            }
        } catch (IOException | RuntimeException e) {
            written.delete(table);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("Cannot write data files for Iceberg table " + name + ": " + io.getMessage()
                        + ". Check the warehouse's free space and permissions.", io);
            }
            throw (RuntimeException) e;
        }
        return written;
    }

    private List<String> keyColumns(List<ChangeEvent> rows, boolean upsert) {
        if (upsert) {
            List<String> ids = new ArrayList<>();
            for (var f : table.schema().columns()) {
                if (table.schema().identifierFieldIds().contains(f.fieldId())) ids.add(f.name());
            }
            return ids;
        }
        for (ChangeEvent e : rows) {
            if (e.key() != null) {
                List<String> names = new ArrayList<>();
                e.key().schema().fields().forEach(f -> names.add(f.name()));
                return names;
            }
        }
        return List.of();
    }

    /** Unchanged TOAST values the batch could not fill come from the row the table stores for that key. */
    private void fillUnchangedFromTable(List<Records.Built> images, List<String> keyColumns) {
        Map<List<Object>, List<Records.Built>> needy = new HashMap<>();
        for (Records.Built b : images) {
            if (b.unchanged().isEmpty()) continue;
            if (keyColumns.isEmpty()) {
                LOG.warn("Iceberg table {} has no key: an unchanged TOAST value in {} is written as null", name, b.record());
                continue;
            }
            needy.computeIfAbsent(Records.key(b.record(), keyColumns), k -> new ArrayList<>()).add(b);
        }
        if (needy.isEmpty()) return;
        Map<List<Object>, Record> stored = StoredRows.read(table, keyColumns, needy.keySet());
        for (Map.Entry<List<Object>, List<Records.Built>> entry : needy.entrySet()) {
            Record old = stored.get(entry.getKey());
            for (Records.Built b : entry.getValue()) {
                for (String column : b.unchanged()) {
                    if (old == null) {
                        LOG.warn("Iceberg table {} holds no row for key {}: unchanged TOAST column {} is written as null",
                                name, entry.getKey(), column);
                    } else {
                        b.record().setField(column, old.getField(column));
                    }
                }
            }
        }
    }

    /** Files one attempt wrote: deleted again when the attempt does not commit. */
    private static final class Written {
        final List<DataFile> dataFiles = new ArrayList<>();
        final List<DeleteFile> deleteFiles = new ArrayList<>();

        void delete(Table table) {
            List<ContentFile<?>> all = new ArrayList<>(dataFiles);
            all.addAll(deleteFiles);
            for (ContentFile<?> f : all) {
                try {
                    table.io().deleteFile(f.location());
                } catch (RuntimeException e) {
                    LOG.warn("Cannot delete uncommitted file {} of Iceberg table {}: {}", f.location(), table.name(), e.toString());
                }
            }
        }
    }
}
