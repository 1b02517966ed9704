package io.tideline.sink.kafka;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.FieldType.Kind;
import io.tideline.api.Op;
import io.tideline.api.Row;

import java.util.List;

/**
 * A {@code source} block for a change that arrived without one (a source other than Debezium, a test). It keeps
 * Debezium's schema name and the fields consumers read most (connector, ts_ms, schema, table, lsn) so the
 * envelope stays valid; changes from Tideline's Debezium source always carry the real block instead.
 */
final class SyntheticSource {

    private static final FieldType TYPE = FieldType.struct(EnvelopeSerializer.SOURCE_SCHEMA, false, List.of(
            new Field("version", FieldType.of(Kind.STRING, false)),
            new Field("connector", FieldType.of(Kind.STRING, false)),
            new Field("name", FieldType.of(Kind.STRING, false)),
            new Field("ts_ms", FieldType.of(Kind.INT64, false)),
            new Field("snapshot", FieldType.of(Kind.STRING, true)),
            new Field("db", FieldType.of(Kind.STRING, false)),
            new Field("schema", FieldType.of(Kind.STRING, false)),
            new Field("table", FieldType.of(Kind.STRING, false)),
            new Field("lsn", FieldType.of(Kind.INT64, true))));

    private SyntheticSource() {
    }

    static Row of(ChangeEvent e) {
        return new Row(TYPE, new Object[]{"tideline", "postgresql", "tideline", e.commitTimeMs(),
                e.op() == Op.READ ? "true" : "false", "", e.table().schema(), e.table().table(),
                e.position().commitLsn()});
    }
}
