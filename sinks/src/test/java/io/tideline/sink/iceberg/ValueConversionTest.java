package io.tideline.sink.iceberg;

import io.tideline.api.Unchanged;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ValueConversionTest {

    @Test
    void microTimestampBecomesLocalDateTimeWithMicros() {
        long micros = 1_700_000_000_123_456L;
        Object v = ValueConversion.toIceberg(micros, SourceTable.timestamp("ts").type(), Types.TimestampType.withoutZone());
        assertEquals(LocalDateTime.of(2023, 11, 14, 22, 13, 20, 123_456_000), v);
    }

    @Test
    void zonedTimestampStringBecomesUtcOffsetDateTime() {
        Object v = ValueConversion.toIceberg("2024-03-01T10:15:30.5+02:00", SourceTable.timestamptz("tz").type(),
                Types.TimestampType.withZone());
        assertEquals(OffsetDateTime.of(2024, 3, 1, 8, 15, 30, 500_000_000, ZoneOffset.UTC), v);
    }

    @Test
    void infiniteTimestampsBecomeIcebergsLatestAndEarliestInstantsInEveryForm() {
        LocalDateTime max = LocalDateTime.parse("+294247-01-10T04:00:54.775807");
        LocalDateTime min = LocalDateTime.parse("-290308-12-21T19:59:05.224192");
        Types.TimestampType local = Types.TimestampType.withoutZone();
        assertEquals(max, ValueConversion.toIceberg(9223372036825200000L, SourceTable.timestamp("ts").type(), local));
        assertEquals(min, ValueConversion.toIceberg(-9223372036832400000L, SourceTable.timestamp("ts").type(), local));
        assertEquals(OffsetDateTime.of(max, ZoneOffset.UTC),
                ValueConversion.toIceberg("infinity", SourceTable.timestamptz("tz").type(), Types.TimestampType.withZone()));
        assertEquals(OffsetDateTime.of(min, ZoneOffset.UTC),
                ValueConversion.toIceberg("-infinity", SourceTable.timestamptz("tz").type(), Types.TimestampType.withZone()));
    }

    @Test
    void timeTwentyFourHundredBecomesIcebergsLastMicrosecondOfTheDay() {
        assertEquals(LocalTime.of(23, 59, 59, 999_999_000),
                ValueConversion.toIceberg(86_400_000_000L, SourceTable.time("t").type(), Types.TimeType.get()));
    }

    @Test
    void infiniteDatesBecomeIcebergsLatestAndEarliestDates() {
        assertEquals(LocalDate.ofEpochDay(Integer.MAX_VALUE),
                ValueConversion.toIceberg(-2147472692, SourceTable.date("d").type(), Types.DateType.get()));
        assertEquals(LocalDate.ofEpochDay(Integer.MIN_VALUE),
                ValueConversion.toIceberg(-2147472691, SourceTable.date("d").type(), Types.DateType.get()));
    }

    @Test
    void debeziumDateDaysBecomeLocalDate() {
        assertEquals(LocalDate.of(2024, 2, 29),
                ValueConversion.toIceberg((int) LocalDate.of(2024, 2, 29).toEpochDay(), SourceTable.date("d").type(), Types.DateType.get()));
    }

    @Test
    void decimalKeepsTheColumnScale() {
        assertEquals(new BigDecimal("12.50"),
                ValueConversion.toIceberg(new BigDecimal("12.5"), SourceTable.numeric("n", 10, 2).type(), Types.DecimalType.of(10, 2)));
    }

    @Test
    void widenedColumnsAcceptNarrowerValues() {
        assertEquals(7L, ValueConversion.toIceberg(7, SourceTable.int32("i", true).type(), Types.LongType.get()));
        assertEquals(1.5d, ValueConversion.toIceberg(1.5f, SourceTable.float4("f").type(), Types.DoubleType.get()));
    }

    @Test
    void uuidBytesAndArraysConvert() {
        UUID u = UUID.randomUUID();
        assertEquals(u, ValueConversion.toIceberg(u.toString(), SourceTable.uuid("u").type(), Types.UUIDType.get()));
        assertEquals(ByteBuffer.wrap(new byte[]{1, 2}),
                ValueConversion.toIceberg(new byte[]{1, 2}, SourceTable.bytea("b").type(), Types.BinaryType.get()));
        assertEquals(List.of("a", "b"), ValueConversion.toIceberg(List.of("a", "b"), SourceTable.textArray("t").type(),
                Types.ListType.ofOptional(1, Types.StringType.get())));
    }

    @Test
    void unchangedPlaceholderIsNeverWrittenAsAValue() {
        assertThrows(IllegalStateException.class,
                () -> ValueConversion.toIceberg(Unchanged.VALUE, SourceTable.text("t").type(), Types.StringType.get()));
    }
}
