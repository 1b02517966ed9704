package io.tideline.sink.iceberg;

import io.tideline.api.Field;
import io.tideline.api.FieldType;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TypeMappingTest {

    private static Type map(Field f) {
        return TypeMapping.icebergType(f.type());
    }

    @Test
    void integersMapToIntAndLong() {
        assertEquals(Types.IntegerType.get(), map(SourceTable.int16("s")));
        assertEquals(Types.IntegerType.get(), map(SourceTable.int32("i", true)));
        assertEquals(Types.LongType.get(), map(SourceTable.int64("l")));
    }

    @Test
    void numericWithPrecisionMapsToDecimalOfThatPrecisionAndScale() {
        assertEquals(Types.DecimalType.of(12, 3), map(SourceTable.numeric("n", 12, 3)));
    }

    @Test
    void numericPrecisionFallsBackToColumnLengthThenTo38() {
        FieldType fromLength = FieldType.of(FieldType.Kind.BYTES, true).withLogical(TypeMapping.DECIMAL, 1,
                Map.of("scale", "2", "__debezium.source.column.length", "9"));
        assertEquals(Types.DecimalType.of(9, 2), TypeMapping.icebergType(fromLength));
        FieldType bare = FieldType.of(FieldType.Kind.BYTES, true).withLogical(TypeMapping.DECIMAL, 1, Map.of("scale", "4"));
        assertEquals(Types.DecimalType.of(38, 4), TypeMapping.icebergType(bare));
    }

    @Test
    void numericWiderThan38DigitsAndVariableScaleNumericMapToString() {
        FieldType wide = FieldType.of(FieldType.Kind.BYTES, true).withLogical(TypeMapping.DECIMAL, 1,
                Map.of("scale", "2", "connect.decimal.precision", "60"));
        assertEquals(Types.StringType.get(), TypeMapping.icebergType(wide));
        FieldType variable = FieldType.struct(TypeMapping.VARIABLE_SCALE_DECIMAL, true, java.util.List.of(
                new Field("scale", FieldType.of(FieldType.Kind.INT32, false)),
                new Field("value", FieldType.of(FieldType.Kind.BYTES, false))));
        assertEquals(Types.StringType.get(), TypeMapping.icebergType(variable));
    }

    @Test
    void textualTypesMapToString() {
        assertEquals(Types.StringType.get(), map(SourceTable.text("t")));
        assertEquals(Types.StringType.get(), map(SourceTable.varchar("v", 20)));
        assertEquals(Types.StringType.get(), map(SourceTable.jsonb("j")));
    }

    @Test
    void temporalTypesMapToDateTimestampAndTimestamptz() {
        assertEquals(Types.DateType.get(), map(SourceTable.date("d")));
        assertEquals(Types.TimestampType.withoutZone(), map(SourceTable.timestamp("ts")));
        assertEquals(Types.TimestampType.withZone(), map(SourceTable.timestamptz("tz")));
        FieldType millis = FieldType.of(FieldType.Kind.INT64, true).withLogical(TypeMapping.TIMESTAMP_MILLIS, 1, null);
        assertEquals(Types.TimestampType.withoutZone(), TypeMapping.icebergType(millis));
        FieldType time = FieldType.of(FieldType.Kind.INT64, true).withLogical(TypeMapping.TIME_MICROS, 1, null);
        assertEquals(Types.TimeType.get(), TypeMapping.icebergType(time));
    }

    @Test
    void otherScalarsMapToTheirIcebergCounterparts() {
        assertEquals(Types.UUIDType.get(), map(SourceTable.uuid("u")));
        assertEquals(Types.BooleanType.get(), map(SourceTable.bool("b")));
        assertEquals(Types.BinaryType.get(), map(SourceTable.bytea("y")));
        assertEquals(Types.FloatType.get(), map(SourceTable.float4("f")));
        assertEquals(Types.DoubleType.get(), map(SourceTable.float8("g")));
    }

    @Test
    void arraysMapToListsOfTheirElementType() {
        Type t = map(SourceTable.textArray("tags"));
        assertEquals(Type.TypeID.LIST, t.typeId());
        assertEquals(Types.StringType.get(), ((Types.ListType) t).elementType());
    }
}
