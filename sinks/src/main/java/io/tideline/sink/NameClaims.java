package io.tideline.sink;

import io.tideline.api.TableId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The source table each sink name (a topic, an Iceberg table) was given to. Names are derived from schema and
 * table with characters replaced or joined ({@code "a b"} and {@code a_b}, schema {@code a_b} with table {@code c}
 * and schema {@code a} with table {@code b_c}), so two source tables can map to one name; their keys would then
 * interleave in one topic or overwrite each other in one table. The second table to claim a name stops the sink.
 */
public final class NameClaims {

    private final String what;
    private final Map<String, TableId> owners = new ConcurrentHashMap<>();

    /** {@code what} names the kind of name in errors: "Kafka topic", "Iceberg table". */
    public NameClaims(String what) {
        this.what = what;
    }

    /** Returns {@code name}, given to {@code table}, or throws when another table already has it. */
    public String claim(String name, TableId table) {
        TableId owner = owners.putIfAbsent(name, table);
        if (owner != null && !owner.equals(table)) {
            throw new SinkNameClashException("Cannot write " + table + " to " + what + " '" + name + "': " + owner
                    + " is written there too, and their rows would mix. Rename one of the tables, or leave one out of "
                    + "tideline.source.table.include.list.");
        }
        return name;
    }

    /** Two source tables that one sink would write under one name. Permanent: the names do not change on retry. */
    public static final class SinkNameClashException extends IllegalStateException {
        SinkNameClashException(String message) {
            super(message);
        }
    }
}
