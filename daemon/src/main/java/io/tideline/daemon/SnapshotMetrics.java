package io.tideline.daemon;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tideline.api.TableId;
import io.tideline.source.SnapshotProgress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Snapshot progress as gauges per table ({@code tideline_snapshot_*}), and the reasons a running daemon is not
 * ready while a snapshot is in progress. Tables that start a snapshot later get their gauges on the next look.
 */
final class SnapshotMetrics {

    private final Supplier<List<SnapshotProgress>> progress;
    private final MeterRegistry registry;
    private final Set<TableId> registered = ConcurrentHashMap.newKeySet();
    private volatile Map<TableId, SnapshotProgress> last = Map.of();

    SnapshotMetrics(Supplier<List<SnapshotProgress>> progress, MeterRegistry registry) {
        this.progress = progress;
        this.registry = registry;
        refresh();
        Gauge.builder("tideline.snapshot.tables.active", this, m -> m.refresh().stream().filter(SnapshotProgress::snapshotting).count())
                .description("Captured tables whose snapshot is pending or running").register(registry);
    }

    private List<SnapshotProgress> refresh() {
        List<SnapshotProgress> now = progress.get();
        Map<TableId, SnapshotProgress> byTable = new ConcurrentHashMap<>();
        for (SnapshotProgress p : now) {
            byTable.put(p.table(), p);
            if (registered.add(p.table())) register(p.table());
        }
        last = byTable;
        return now;
    }

    private void register(TableId table) {
        Tags tags = Tags.of("table", table.toString());
        gauge("tideline.snapshot.rows.done", "Rows of acknowledged snapshot chunks (durable in every sink)", tags, table, p -> p.rowsDone());
        gauge("tideline.snapshot.rows.read", "Snapshot rows handed on by this process", tags, table, p -> p.rowsRead());
        gauge("tideline.snapshot.rows.estimated", "PostgreSQL's row estimate when the snapshot started (-1 unknown)", tags, table, p -> p.estimatedRows());
        gauge("tideline.snapshot.chunks.done", "Acknowledged snapshot chunks", tags, table, p -> p.chunksDone());
        gauge("tideline.snapshot.chunks.planned", "Snapshot chunks planned so far", tags, table, p -> p.chunksPlanned());
        gauge("tideline.snapshot.running", "1 while the table's snapshot is pending or running", tags, table, p -> p.snapshotting() ? 1 : 0);
    }

    private void gauge(String name, String doc, Tags tags, TableId table, ToDoubleFunction<SnapshotProgress> f) {
        Gauge.builder(name, this, m -> {
            SnapshotProgress p = m.last.get(table);
            return p == null ? Double.NaN : f.applyAsDouble(p);
        }).description(doc).tags(tags).register(registry);
    }

    /** "snapshotting public.t: 1200 of ~5000 rows" for every table whose snapshot is not done. */
    List<String> notReady() {
        List<String> out = new ArrayList<>();
        List<SnapshotProgress> all = refresh();
        if (all.isEmpty()) {
            // the source has not read its state and the catalog yet: whether a snapshot is due is not known
            out.add("starting: the source has not connected to PostgreSQL yet");
        }
        for (SnapshotProgress p : all) {
            if (!p.snapshotting()) continue;
            out.add("snapshotting " + p.table() + ": " + Math.max(p.rowsDone(), p.rowsRead()) + " of ~"
                    + (p.estimatedRows() < 0 ? "?" : p.estimatedRows()) + " rows, " + p.chunksDone() + " chunks done ("
                    + p.status() + ")");
        }
        return out;
    }
}
