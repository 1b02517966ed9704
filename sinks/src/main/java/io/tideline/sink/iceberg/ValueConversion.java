package io.tideline.sink.iceberg;

import io.tideline.api.FieldType;
import io.tideline.api.Row;
import io.tideline.api.Unchanged;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a value as the source delivers it (plain Java objects, see {@link FieldType}) to the Java value
 * Iceberg's generic writers expect for the column's current type. Driven by the target type so a column widened
 * by schema evolution (int → long, float → double) also accepts values of the older, narrower type.
 */
public final class ValueConversion {

    /** How Debezium's ZonedTimestamp spells PostgreSQL's {@code 'infinity'} and {@code '-infinity'}. */
    static final String INFINITY = "infinity";
    static final String MINUS_INFINITY = "-infinity";
    /**
     * PostgreSQL's infinite timestamps have no Iceberg value: they become the latest and earliest instants an
     * Iceberg timestamp (a long of microseconds) holds, which sort where infinity does and which no finite
     * PostgreSQL timestamp of a realistic table reaches.
     */
    public static final Instant MAX_TIMESTAMP = Instant.EPOCH.plus(Long.MAX_VALUE, ChronoUnit.MICROS);
    public static final Instant MIN_TIMESTAMP = Instant.EPOCH.plus(Long.MIN_VALUE, ChronoUnit.MICROS);

    /** The JDBC driver's {@code PGStatement.DATE_POSITIVE_INFINITY} and {@code DATE_NEGATIVE_INFINITY} (micro and milli). */
    public static final long PG_INFINITY = 9223372036825200000L;
    public static final long PG_MINUS_INFINITY = -9223372036832400000L;

    public static final long PG_INFINITY_DAYS = -2147472692L;
    public static final long PG_MINUS_INFINITY_DAYS = -2147472691L;
    public static final LocalDate MAX_DATE = LocalDate.ofEpochDay(Integer.MAX_VALUE);
    public static final LocalDate MIN_DATE = LocalDate.ofEpochDay(Integer.MIN_VALUE);

    static final long END_OF_DAY_NANOS = 86_400_000_000_000L;
    static final LocalTime LAST_MICRO_OF_DAY = LocalTime.ofNanoOfDay(END_OF_DAY_NANOS - 1_000);

    private ValueConversion() {
    }

    public static Object toIceberg(Object value, FieldType source, Type target) {
        if (value == null) return null;
        if (value == Unchanged.VALUE) {
            throw new IllegalStateException("Cannot write an unchanged TOAST placeholder as a value: it was not resolved "
                    + "from the stored row. This is a Tideline bug; report it.");
        }
        String logical = source == null ? null : source.logicalName();
        switch (target.typeId()) {
            case INTEGER: return ((Number) value).intValue();
            case LONG: return ((Number) value).longValue();
            case FLOAT: return ((Number) value).floatValue();
            case DOUBLE: return ((Number) value).doubleValue();
            case BOOLEAN: return value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString());
            case STRING: return toText(value);
            case DECIMAL: return toDecimal(value, ((Types.DecimalType) target).scale());
            case DATE: return toDate(value);
            case TIME: return toTime(value, logical);
            case TIMESTAMP: return toTimestamp(value, logical, ((Types.TimestampType) target).shouldAdjustToUTC());
            case UUID: return value instanceof java.util.UUID u ? u : java.util.UUID.fromString(value.toString());
            case BINARY: case FIXED: return toBytes(value);
            case LIST: return toList(value, source, (Types.ListType) target);
            case MAP: return toMap(value, source, (Types.MapType) target);
            case STRUCT: return toStruct(value, (Types.StructType) target);
            default:
                throw new IllegalArgumentException("Cannot convert value of " + value.getClass().getSimpleName()
                        + " to Iceberg type " + target + ": unsupported type. Report this column type to the Tideline maintainers.");
        }
    }

    private static String toText(Object value) {
        if (value instanceof String s) return s;
        if (value instanceof BigDecimal d) return d.toPlainString();
        if (value instanceof Row r && r.has("scale") && r.has("value")) { // VariableScaleDecimal struct
            return variableScaleDecimal(r).toPlainString();
        }
        if (value instanceof byte[] b) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
        return value.toString();
    }

    private static BigDecimal variableScaleDecimal(Row r) {
        Object raw = r.get("value");
        int scale = ((Number) r.get("scale")).intValue();
        byte[] bytes = raw instanceof ByteBuffer bb ? bytesOf(bb) : (byte[]) raw;
        return new BigDecimal(new BigInteger(bytes), scale);
    }

    private static BigDecimal toDecimal(Object value, int scale) {
        BigDecimal d;
        if (value instanceof BigDecimal bd) d = bd;
        else if (value instanceof Row r) d = variableScaleDecimal(r);
        else if (value instanceof Number n) d = new BigDecimal(n.toString());
        else d = new BigDecimal(value.toString());
        return d.setScale(scale, RoundingMode.HALF_UP);
    }

    private static LocalDate toDate(Object value) {
        if (value instanceof LocalDate d) return d;
        if (value instanceof Date d) return LocalDate.ofInstant(d.toInstant(), ZoneOffset.UTC);
        if (value instanceof Number n) {
            // Debezium's days for 'infinity' and '-infinity' (the driver's sentinel, overflowed): far before any
            // date PostgreSQL holds (4713 BC). They become the latest and earliest dates Iceberg holds.
            if (n.longValue() == PG_INFINITY_DAYS) return MAX_DATE;
            if (n.longValue() == PG_MINUS_INFINITY_DAYS) return MIN_DATE;
            return LocalDate.ofEpochDay(n.longValue());
        }
        return LocalDate.parse(value.toString());
    }

    private static LocalTime toTime(Object value, String logical) {
        if (value instanceof LocalTime t) return t;
        if (value instanceof Date d) return LocalTime.ofNanoOfDay(Math.floorMod(d.getTime(), 86_400_000L) * 1_000_000L);
        if (value instanceof Number n) {
            long v = n.longValue();
            long nanos;
            if (TypeMapping.TIME_MILLIS.equals(logical) || TypeMapping.CONNECT_TIME.equals(logical)) nanos = v * 1_000_000L;
            else if (TypeMapping.TIME_NANOS.equals(logical)) nanos = v;
            else nanos = v * 1_000L;
            // PostgreSQL's time '24:00:00' is the end of the day; Iceberg's latest time is 23:59:59.999999
            return nanos >= END_OF_DAY_NANOS ? LAST_MICRO_OF_DAY : LocalTime.ofNanoOfDay(nanos);
        }
        return LocalTime.parse(value.toString());
    }

    private static Object toTimestamp(Object value, String logical, boolean withZone) {
        Instant instant;
        if (value instanceof OffsetDateTime o) instant = o.toInstant();
        else if (value instanceof LocalDateTime l) instant = l.toInstant(ZoneOffset.UTC);
        else if (value instanceof Instant i) instant = i;
        else if (value instanceof Date d) instant = d.toInstant();
        else if (value instanceof Number n) instant = instantOf(n.longValue(), logical);
        else if (INFINITY.equals(value)) instant = MAX_TIMESTAMP;
        else if (MINUS_INFINITY.equals(value)) instant = MIN_TIMESTAMP;
        else instant = OffsetDateTime.parse(value.toString()).toInstant();
        // Iceberg v2 timestamps are microseconds: drop what is below.
        instant = instant.truncatedTo(ChronoUnit.MICROS);
        return withZone ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC) : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant instantOf(long v, String logical) {
        // Debezium passes PostgreSQL's infinite timestamps as the JDBC driver's sentinels, whatever the precision.
        if (v == PG_INFINITY || v == PG_INFINITY / 1000) return MAX_TIMESTAMP;
        if (v == PG_MINUS_INFINITY || v == PG_MINUS_INFINITY / 1000) return MIN_TIMESTAMP;
        if (TypeMapping.TIMESTAMP_MILLIS.equals(logical) || TypeMapping.CONNECT_TIMESTAMP.equals(logical)) {
            return Instant.ofEpochMilli(v);
        }
        if (TypeMapping.TIMESTAMP_NANOS.equals(logical)) {
            return Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L));
        }
        return Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1_000L);
    }

    private static ByteBuffer toBytes(Object value) {
        if (value instanceof ByteBuffer b) return b;
        if (value instanceof byte[] b) return ByteBuffer.wrap(b);
        return ByteBuffer.wrap(value.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static byte[] bytesOf(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static List<Object> toList(Object value, FieldType source, Types.ListType target) {
        FieldType element = source == null ? null : source.elementType();
        List<Object> out = new ArrayList<>();
        for (Object v : (List<?>) value) out.add(toIceberg(v, element, target.elementType()));
        return out;
    }

    private static Map<Object, Object> toMap(Object value, FieldType source, Types.MapType target) {
        FieldType keyType = source == null ? null : source.elementType();
        FieldType valueType = source == null ? null : source.valueType();
        Map<Object, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
            out.put(toIceberg(e.getKey(), keyType, target.keyType()), toIceberg(e.getValue(), valueType, target.valueType()));
        }
        return out;
    }

    private static GenericRecord toStruct(Object value, Types.StructType target) {
        Row row = (Row) value;
        GenericRecord record = GenericRecord.create(target);
        for (Types.NestedField f : target.fields()) {
            int i = row.indexOf(f.name());
            if (i >= 0) {
                record.setField(f.name(), toIceberg(row.get(i), row.schema().fields().get(i).type(), f.type()));
            }
        }
        return record;
    }
}
