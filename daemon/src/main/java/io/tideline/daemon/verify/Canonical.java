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
import io.tideline.sink.iceberg.ValueConversion;
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
            return Character.isDigit(text.charAt(text.length() - 1)) ? of(new BigDecimal(text)) : numericSpecial(text);
        }
        return of(v);
    }

    /** Debezium's spelling of numeric NaN and infinities ({@code decimal.handling.mode=string}). */
    private static final Set<String> NUMERIC_SPECIALS = Set.of("NAN", "POSITIVE_INFINITY", "NEGATIVE_INFINITY");

    private static String numericSpecial(String text) {
        return switch (text) {
            case "NaN" -> "NAN";
            case "Infinity" -> "POSITIVE_INFINITY";
            case "-Infinity" -> "NEGATIVE_INFINITY";
            default -> text;
        };
    }

    /**
     * Whether a sink's value differs from PostgreSQL's only as the README documents: a numeric NaN or infinity has
     * no value in Debezium's precise decimal mode, so both sinks hold null.
     */
    static boolean documentedLoss(String postgres, String sink) {
        return "null".equals(sink) && NUMERIC_SPECIALS.contains(postgres);
    }

    /*
     * PostgreSQL's infinite timestamps and dates, as each side spells them: the JDBC driver's MAX/MIN java.time
     * values, Debezium's text or sentinel numbers, the latest/earliest values of Iceberg (see ValueConversion).
     */
    private static final String INFINITY = "infinity";
    private static final String MINUS_INFINITY = "-infinity";
    private static final LocalDateTime ICEBERG_MAX = LocalDateTime.ofInstant(ValueConversion.MAX_TIMESTAMP, ZoneOffset.UTC);
    private static final LocalDateTime ICEBERG_MIN = LocalDateTime.ofInstant(ValueConversion.MIN_TIMESTAMP, ZoneOffset.UTC);
    private static final long PG_INFINITY = ValueConversion.PG_INFINITY;
    private static final long PG_MINUS_INFINITY = ValueConversion.PG_MINUS_INFINITY;

    private static String infinity(Object v) {
        if (v instanceof OffsetDateTime t) {
            if (t.equals(OffsetDateTime.MAX)) return INFINITY;
            if (t.equals(OffsetDateTime.MIN)) return MINUS_INFINITY;
            return infinity(t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
        }
        if (v instanceof LocalDateTime t) {
            if (t.equals(LocalDateTime.MAX) || t.equals(ICEBERG_MAX)) return INFINITY;
            if (t.equals(LocalDateTime.MIN) || t.equals(ICEBERG_MIN)) return MINUS_INFINITY;
        }
        if (v instanceof LocalDate d) {
            if (d.equals(LocalDate.MAX) || d.equals(ValueConversion.MAX_DATE)) return INFINITY;
            if (d.equals(LocalDate.MIN) || d.equals(ValueConversion.MIN_DATE)) return MINUS_INFINITY;
        }
        return null;
    }

    /** Iceberg records and plain Java values. */
    static String of(Object v) {
        if (v == null) return "null";
        String infinite = infinity(v);
        if (infinite != null) return infinite;
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
        if (INFINITY.equals(v) || MINUS_INFINITY.equals(v)) return (String) v;   // ZonedTimestamp
        if (v instanceof Long n && name.startsWith("io.debezium.time.")) {
            if (n == PG_INFINITY || n == PG_INFINITY / 1000) return INFINITY;
            if (n == PG_MINUS_INFINITY || n == PG_MINUS_INFINITY / 1000) return MINUS_INFINITY;
        }
        if (v instanceof Integer n && name.equals("io.debezium.time.Date")) {
            if (n == ValueConversion.PG_INFINITY_DAYS) return INFINITY;
            if (n == ValueConversion.PG_MINUS_INFINITY_DAYS) return MINUS_INFINITY;
        }
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
            case "io.debezium.time.MicroTime":   // PostgreSQL's time '24:00:00' has no LocalTime
                return (Long) v >= 86_400_000_000L ? "24:00" : LocalTime.ofNanoOfDay((Long) v * 1000).toString();
            case "org.apache.kafka.connect.data.Timestamp":
                return LocalDateTime.ofInstant(((java.util.Date) v).toInstant(), ZoneOffset.UTC).toString();
            case "org.apache.kafka.connect.data.Date":
                return LocalDate.ofInstant(((java.util.Date) v).toInstant(), ZoneOffset.UTC).toString();
            default:
                return of(v);
        }
    }
}
