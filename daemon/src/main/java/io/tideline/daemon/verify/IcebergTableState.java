package io.tideline.daemon.verify;

import io.tideline.sink.iceberg.MetadataColumns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * An Iceberg table read with Iceberg's own reader (deletes applied). An upsert table becomes rows by key (a key held
 * twice is a problem); an append table (a changelog) is checked for a position held twice.
 */
final class IcebergTableState {

    final String name;
    final Map<List<String>, Map<String, String>> rows = new HashMap<>();
    final List<String> problems = new ArrayList<>();
    int problemCount;
    long rowCount;

    private IcebergTableState(String name) {
        this.name = name;
    }

    static IcebergTableState read(Table table, SourceTable source, boolean upsert, int examples) throws IOException {
        IcebergTableState state = new IcebergTableState(table.name());
        Set<String> positions = new HashSet<>();
        List<Types.NestedField> columns = table.schema().columns();
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
            for (Record r : records) {
                state.rowCount++;
                if (!upsert) {
                    Object position = r.getField(MetadataColumns.POSITION);
                    if (position != null && !positions.add(position.toString())) {
                        state.problem(examples, "position " + position + " is held twice");
                    }
                    continue;
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (Types.NestedField f : columns) {
                    if (!f.name().startsWith("_tideline_")) row.put(f.name(), Canonical.of(r.getField(f.name())));
                }
                List<String> key = new ArrayList<>();
                for (String column : source.keyColumns()) key.add(row.get(column));
                if (state.rows.put(key, row) != null) state.problem(examples, "key " + key + " is held twice");
            }
        }
        return state;
    }

    private void problem(int examples, String what) {
        problemCount++;
        if (problems.size() < examples) problems.add(what);
    }
}
