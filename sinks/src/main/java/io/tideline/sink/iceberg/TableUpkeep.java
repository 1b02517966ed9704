package io.tideline.sink.iceberg;

import io.tideline.api.Position;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestReader;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.io.RollingDataWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

/**
 * Background table upkeep, one thread per sink, so commit time and read time stay flat as tables grow:
 * <ol>
 *   <li><b>Compaction.</b> When the current snapshot has delete files, or at least {@link Upkeep#minSmallFiles()}
 *       data files under half the target size, every data file and every delete file is rewritten into data files
 *       of the live rows (all delete files go: they all have a sequence number at or below the start, so none would
 *       apply to the rewritten files) (read with Iceberg's generic reader, deletes applied). The rewrite keeps the starting
 *       snapshot's sequence number ({@code dataSequenceNumber}) and validates from it, so equality deletes that
 *       batches commit meanwhile still apply to the rewritten rows. The heavy part runs without the table lock.</li>
 *   <li><b>Manifest rewrite</b> when the snapshot has more than {@link Upkeep#maxManifests()} manifests.</li>
 *   <li><b>Snapshot expiry</b> older than the retention, keeping the last N.</li>
 * </ol>
 * Commits that create snapshots carry {@code tideline.position}/{@code tideline.epoch} forward, read under the
 * table lock right before committing so the fence never moves back. A conflict just waits for the next run.
 */
final class TableUpkeep implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TableUpkeep.class);

    private final IcebergSink sink;
    private final Upkeep settings;
    private ScheduledExecutorService executor;

    TableUpkeep(IcebergSink sink, Upkeep settings) {
        this.sink = sink;
        this.settings = settings;
    }

    void start() {
        if (!settings.enabled()) return;
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tideline-iceberg-upkeep");
            t.setDaemon(true);
            return t;
        });
        long every = settings.interval().toMillis();
        executor.scheduleWithFixedDelay(this::runOnceQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    private void runOnceQuietly() {
        try {
            runOnce();
        } catch (Throwable t) {
            LOG.warn("Iceberg upkeep failed; retrying at the next interval", t);
        }
    }

    /** One pass over every table the sink has written. */
    void runOnce() {
        for (TableIdentifier id : List.copyOf(sink.knownTables())) {
            try {
                maintain(id);
            } catch (ValidationException | CommitFailedException e) {
                LOG.info("Iceberg upkeep of {} conflicted with a commit; retrying at the next interval: {}", id, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("Iceberg upkeep of {} failed; retrying at the next interval", id, e);
            }
        }
    }

    private void maintain(TableIdentifier id) {
        Table table = sink.catalog().loadTable(id);
        String name = id.toString();
        compact(table, name);
        rewriteManifests(table, name);
        expireSnapshots(table, name);
        sink.recordFiles(name, table.currentSnapshot());
    }

    private void compact(Table table, String name) {
        Snapshot start = table.currentSnapshot();
        if (start == null) return;
        Map<String, DataFile> dataFiles = new LinkedHashMap<>();
        Map<String, DeleteFile> deleteFiles = new LinkedHashMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(start.snapshotId()).planFiles()) {
            for (FileScanTask task : tasks) {
                dataFiles.putIfAbsent(task.file().location(), task.file());
                for (DeleteFile d : task.deletes()) deleteFiles.putIfAbsent(d.location(), d);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // Delete files that apply to no live data file never show up in a scan task: collect every live one.
        for (ManifestFile manifest : start.deleteManifests(table.io())) {
            try (ManifestReader<DeleteFile> reader = ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
                for (DeleteFile d : reader) deleteFiles.putIfAbsent(d.location(), d.copy());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        long small = dataFiles.values().stream().filter(f -> f.fileSizeInBytes() < sink.targetFileSizeBytes() / 2).count();
        if (deleteFiles.isEmpty() && small < settings.minSmallFiles()) return;

        Schema schema = table.schema();
        List<DataFile> written = rewriteLiveRows(table, start, schema);
        sink.beforeUpkeepCommit(name);
        Lock lock = sink.lockFor(name);
        lock.lock();
        try {
            table.refresh();
            CommittedPosition fence = CommittedPosition.of(table);
            RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(start.snapshotId())
                    .dataSequenceNumber(start.sequenceNumber());
            dataFiles.values().forEach(rewrite::deleteFile);
            deleteFiles.values().forEach(rewrite::deleteFile);
            written.forEach(rewrite::addFile);
            carryFence(rewrite, fence).set("tideline.upkeep", "compaction").commit();
            sink.metrics().rewrite(name);
            LOG.info("Compacted Iceberg table {}: {} data + {} delete files → {} data files", name, dataFiles.size(),
                    deleteFiles.size(), written.size());
        } catch (RuntimeException e) {
            for (DataFile f : written) table.io().deleteFile(f.location());
            throw e;
        } finally {
            lock.unlock();
        }
    }

    private List<DataFile> rewriteLiveRows(Table table, Snapshot start, Schema schema) {
        GenericFileWriterFactory writers = new GenericFileWriterFactory.Builder(table)
                .dataFileFormat(FileFormat.PARQUET).dataSchema(schema).build();
        OutputFileFactory files = OutputFileFactory.builderFor(table, Integer.MAX_VALUE, start.sequenceNumber())
                .format(FileFormat.PARQUET).operationId("upkeep-" + UUID.randomUUID()).build();
        RollingDataWriter<Record> out = new RollingDataWriter<>(writers, files, table.io(), sink.targetFileSizeBytes(),
                table.spec(), null);
        try (CloseableIterable<Record> rows = IcebergGenerics.read(table).useSnapshot(start.snapshotId()).project(schema).build()) {
            try (out) {
                for (Record r : rows) out.write(r);
            }
        } catch (IOException | RuntimeException e) {
            try {
                out.close();
            } catch (IOException | RuntimeException ignored) {
                // already failing
            }
            for (DataFile f : out.result().dataFiles()) table.io().deleteFile(f.location());
            throw e instanceof RuntimeException r ? r : new java.io.UncheckedIOException((IOException) e);
        }
        return new ArrayList<>(out.result().dataFiles());
    }

    private void rewriteManifests(Table table, String name) {
        Snapshot current = table.currentSnapshot();
        if (current == null || current.allManifests(table.io()).size() <= settings.maxManifests()) return;
        Lock lock = sink.lockFor(name);
        lock.lock();
        try {
            table.refresh();
            carryFence(table.rewriteManifests().clusterBy(f -> "all"), CommittedPosition.of(table))
                    .set("tideline.upkeep", "rewrite-manifests").commit();
        } finally {
            lock.unlock();
        }
    }

    private void expireSnapshots(Table table, String name) {
        Lock lock = sink.lockFor(name);
        lock.lock();
        try {
            table.refresh();
            if (table.currentSnapshot() == null) return;
            table.expireSnapshots()
                    .expireOlderThan(System.currentTimeMillis() - settings.snapshotRetention().toMillis())
                    .retainLast(settings.retainLastSnapshots())
                    .commit();
        } finally {
            lock.unlock();
        }
    }

    private static <T extends org.apache.iceberg.SnapshotUpdate<T>> T carryFence(T update, CommittedPosition fence) {
        Position p = fence.position();
        if (p != null) update.set(SummaryKeys.POSITION, p.toString());
        if (fence.epoch() >= 0) update.set(SummaryKeys.EPOCH, Long.toString(fence.epoch()));
        return update;
    }

    @Override
    public void close() throws InterruptedException {
        if (executor == null) return;
        // Let a running pass finish (interrupting Hadoop IO mid-write only leaves noise and orphan files).
        executor.shutdown();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
