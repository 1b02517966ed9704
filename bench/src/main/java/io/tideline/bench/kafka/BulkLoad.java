package io.tideline.bench.kafka;

import java.sql.Connection;
import java.sql.PreparedStatement;

/** Inserts ids 1..rows in transactions of {@code txRows} rows, server-side, before capture starts. */
final class BulkLoad {
    private BulkLoad() {
    }

    static void insert(BenchServices services, Fixture fixture, int rows, int txRows) throws Exception {
        try (Connection c = services.connect();
             PreparedStatement insert = c.prepareStatement("INSERT INTO " + fixture.qualifiedTable()
                     + " (id, sched_us, payload) SELECT g, 0, ? FROM generate_series(?::bigint, ?::bigint) g")) {
            c.setAutoCommit(true);
            for (long from = 1; from <= rows; from += txRows) {
                insert.setString(1, Fixture.PAYLOAD);
                insert.setLong(2, from);
                insert.setLong(3, Math.min(rows, from + txRows - 1));
                insert.executeUpdate();
            }
        }
    }
}
