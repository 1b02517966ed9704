package io.tideline.daemon.verify;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * One text form for a value, whichever side it was read from: PostgreSQL over JDBC, an Iceberg record, or a
 * Debezium-encoded Kafka Connect value. Two sides hold the same value exactly when their texts are equal.
 */
final class Canonical {

    /** A Kafka value Debezium could not carry (an unchanged TOAST column): equal to anything by contract. */
    static final String UNCHANGED = "\u0000unchanged";
    static final String PLACEHOLDER = "__debezium_unavailable_value";

    /** PostgreSQL types whose values verify compares; other columns are listed as not compared. */
    static final Set<String> COMPARED_TYPES = Set.of("int2", "int4", "int8", "smallserial", "serial", "bigserial", "numeric", "float4", "float8", "bool",
            "text", "varchar", "bpchar", "name", "timestamptz", "timestamp", "date", "uuid", "json", "jsonb", "bytea");

    private Canonical() {
    }

    static String ofJdbc(ResultSet rs, int column, String pgType) throws SQLException {
        Object v = switch (pgType) {
            case "timestamptz" -> rs.getObject(column, OffsetDateTime.class);
            case "timestamp" -> rs.getObject(column, LocalDateTime.class);
            case "date" -> rs.getObject(column, LocalDate.class);
            case "json", "jsonb", "numeric" -> rs.getString(column);   // numeric: NaN and Infinity have no BigDecimal
            case "bytea" -> rs.getBytes(column);
            default -> rs.getObject(column);
        };
        if (v != null && pgType.equals("numeric")) {
            String text = (String) v;
            return Character.isDigit(text.charAt(text.length() - 1)) ? of(new BigDecimal(text)) : text;
        }
        return of(v);
    }

    /** Iceberg records and plain Java values. */
    static String of(Object v) {
        if (v == null) return "null";
        if (v instanceof BigDecimal d) return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long || v instanceof BigInteger) {
            return v.toString();
        }
        if (v instanceof OffsetDateTime t) return t.toInstant().toString();
        if (v instanceof java.sql.Timestamp t) return t.toInstant().toString();
        if (v instanceof byte[] b) return HexFormat.of().formatHex(b);
        if (v instanceof ByteBuffer b) {
            ByteBuffer copy = b.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return HexFormat.of().formatHex(bytes);
        }
        if (v instanceof UUID u) return u.toString();
        if (v instanceof org.postgresql.util.PGobject o) return o.getValue();
        return v.toString();   // String, Boolean, Float, Double, Instant, LocalDate, LocalDateTime, LocalTime
    }

    /** A field of a Debezium record, decoded by its Connect schema (Debezium's logical types included). */
    static String ofConnect(Object v, Schema schema) {
        if (v == null) return "null";
        if (PLACEHOLDER.equals(v) || (v instanceof byte[] b && PLACEHOLDER.equals(new String(b, java.nio.charset.StandardCharsets.UTF_8)))) {
            return UNCHANGED;
        }
        String name = schema.name() == null ? "" : schema.name();
        switch (name) {
            case "io.debezium.data.VariableScaleDecimal": {
                Struct s = (Struct) v;
                return of(new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale")));
            }
            case "io.debezium.time.ZonedTimestamp":
                return OffsetDateTime.parse((String) v).toInstant().toString();
            case "io.debezium.time.MicroTimestamp":
                return LocalDateTime.ofEpochSecond(Math.floorDiv((Long) v, 1_000_000L),
                        (int) Math.floorMod((Long) v, 1_000_000L) * 1000, ZoneOffset.UTC).toString();
            case "io.debezium.time.NanoTimestamp":
                return LocalDateTime.ofEpochSecond(Math.floorDiv((Long) v, 1_000_000_000L),
                        (int) Math.floorMod((Long) v, 1_000_000_000L), ZoneOffset.UTC).toString();
            case "io.debezium.time.Timestamp":
                return LocalDateTime.ofInstant(Instant.ofEpochMilli((Long) v), ZoneOffset.UTC).toString();
            case "io.debezium.time.Date":
                return LocalDate.ofEpochDay((Integer) v).toString();
            case "io.debezium.time.MicroTime":
                return LocalTime.ofNanoOfDay((Long) v * 1000).toString();
            case "org.apache.kafka.connect.data.Timestamp":
                return LocalDateTime.ofInstant(((java.util.Date) v).toInstant(), ZoneOffset.UTC).toString();
            case "org.apache.kafka.connect.data.Date":
                return LocalDate.ofInstant(((java.util.Date) v).toInstant(), ZoneOffset.UTC).toString();
            default:
                return of(v);
        }
    }
}
