package io.tideline.sink.iceberg;

import org.apache.iceberg.types.Types;

import java.util.List;
import java.util.Set;

/**
 * Columns Tideline adds after the source columns of every table:
 * <ul>
 *   <li>{@code _tideline_op} (string): the Debezium operation code of the change that wrote the row
 *       ({@code r}, {@code c}, {@code u}; {@code d} only in append mode).</li>
 *   <li>{@code _tideline_position} (string): the source position {@code <commitLsn>/<index>} of that change.</li>
 *   <li>{@code _tideline_commit_ts} (timestamptz): the commit time of its source transaction.</li>
 * </ul>
 */
public final class MetadataColumns {

    public static final String OP = "_tideline_op";
    public static final String POSITION = "_tideline_position";
    public static final String COMMIT_TS = "_tideline_commit_ts";

    static final Set<String> NAMES = Set.of(OP, POSITION, COMMIT_TS);

    private MetadataColumns() {
    }

    static List<Types.NestedField> fields(int firstId) {
        return List.of(
                Types.NestedField.optional(firstId, OP, Types.StringType.get()),
                Types.NestedField.optional(firstId + 1, POSITION, Types.StringType.get()),
                Types.NestedField.optional(firstId + 2, COMMIT_TS, Types.TimestampType.withZone()));
    }
}
