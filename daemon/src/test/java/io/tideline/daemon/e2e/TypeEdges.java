package io.tideline.daemon.e2e;

import io.tideline.api.TableId;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;

/**
 * The cases of {@link TypeEdgesIT}: a PostgreSQL literal at the edge of its type (or in a table or column whose name
 * needs quoting) and what Kafka (the JSON text of the field in {@code after}) and Iceberg (the value read back, as
 * text) must hold for it. The README's "Types and names at their edges" table lists the same cases.
 */
final class TypeEdges {

    static final String ID = "id";
    /** Iceberg's latest and earliest timestamps (a long of microseconds), where PostgreSQL's infinities land. */
    static final String MAX_TIMESTAMP = "+294247-01-10T04:00:54.775807";
    static final String MIN_TIMESTAMP = "-290308-12-21T19:59:05.224192";
    static final String FIFTY_MB = "0123456789".repeat(5 * 1024 * 1024);

    /** A {@code numeric(p,s)} (or money) in Debezium's JSON: the unscaled value's bytes, base64. */
    static String decimal(String plain) {
        return Base64.getEncoder().encodeToString(new BigDecimal(plain).unscaledValue().toByteArray());
    }

    /** A {@code numeric} without precision in Debezium's JSON: a VariableScaleDecimal struct. */
    static String variable(String plain) {
        BigDecimal d = new BigDecimal(plain);
        return "{\"scale\":" + d.scale() + ",\"value\":\"" + decimal(plain) + "\"}";
    }

    /** Types the cases' columns use, created before the tables. */
    static final List<String> TYPES = List.of(
            "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
            "CREATE DOMAIN positive_int AS int CHECK (VALUE > 0)",
            "CREATE SCHEMA \"Mixed Schema\"");

    record Case(String name, TableId table, String column, String type, String literal, int id, String kafka, String iceberg) {
        String insert(int rowId) {
            return "INSERT INTO " + quote(table.schema()) + "." + quote(table.table()) + " (" + ID + ", " + quote(column)
                    + ") VALUES (" + rowId + ", " + literal + ")";
        }
    }

    static String createTable(TableId table, Case any) {
        return "CREATE TABLE " + quote(table.schema()) + "." + quote(table.table()) + " (" + ID + " int PRIMARY KEY, "
                + quote(any.column()) + " " + any.type() + ")";
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private final List<Case> cases = new ArrayList<>();
    private String table;
    private String schema;
    private String column;
    private String type;
    private int nextId;

    private TypeEdges in(String schema, String table, String column, String type) {
        this.schema = schema;
        this.table = table;
        this.column = column;
        this.type = type;
        this.nextId = 1;
        return this;
    }

    private TypeEdges type(String table, String type) {
        return in("public", table, "v", type);
    }

    private TypeEdges value(String name, String literal, String kafka, String iceberg) {
        cases.add(new Case(name, new TableId(schema, table), column, type, literal, nextId++, kafka, iceberg));
        return this;
    }

    /** With {@code decimal.handling.mode=string} and {@code interval.handling.mode=string}. */
    static List<Case> stringModeCases() {
        TypeEdges t = new TypeEdges();
        t.type("s_numeric", "numeric")
                .value("numeric NaN as text", "'NaN'", "NAN", "NAN")
                .value("numeric +Infinity as text", "'Infinity'", "POSITIVE_INFINITY", "POSITIVE_INFINITY")
                .value("numeric -Infinity as text", "'-Infinity'", "NEGATIVE_INFINITY", "NEGATIVE_INFINITY")
                .value("numeric 50 digits as text", "12345678901234567890123456789012345678901234567890.5",
                        "12345678901234567890123456789012345678901234567890.5", "12345678901234567890123456789012345678901234567890.5");
        t.type("s_interval", "interval")
                .value("interval as ISO 8601", "'1 year 2 months 3 days 04:05:06.789'", "P1Y2M3DT4H5M6.789S", "P1Y2M3DT4H5M6.789S");
        return List.copyOf(t.cases);
    }

    static List<Case> cases() {
        TypeEdges t = new TypeEdges();
        t.type("e_numeric", "numeric")
                .value("numeric zero", "0", variable("0"), "0")
                .value("numeric 50 digits", "12345678901234567890123456789012345678901234567890.5",
                        variable("12345678901234567890123456789012345678901234567890.5"), "12345678901234567890123456789012345678901234567890.5")
                .value("numeric tiny", "-0.000000000000000001", variable("-0.000000000000000001"), "-0.000000000000000001")
                .value("numeric NaN", "'NaN'", "null", "null")
                .value("numeric +Infinity", "'Infinity'", "null", "null")
                .value("numeric -Infinity", "'-Infinity'", "null", "null")
                .value("numeric null", "NULL", "null", "null");
        t.type("e_numeric_10_2", "numeric(10,2)")
                .value("numeric(10,2) max", "99999999.99", decimal("99999999.99"), "99999999.99")
                .value("numeric(10,2) negative", "-0.01", decimal("-0.01"), "-0.01");
        t.type("e_numeric_50_10", "numeric(50,10)")
                .value("numeric(50,10) wide", "1234567890123456789012345678901234567890.0123456789",
                        decimal("1234567890123456789012345678901234567890.0123456789"), "1234567890123456789012345678901234567890.0123456789");
        t.type("e_float8", "float8")
                .value("float8 NaN", "'NaN'", "NaN", "NaN")
                .value("float8 +Infinity", "'Infinity'", "Infinity", "Infinity")
                .value("float8 -Infinity", "'-Infinity'", "-Infinity", "-Infinity")
                .value("float8 -0", "'-0'", "-0.0", "-0.0")
                .value("float8 max", "1.7976931348623157e308", "1.7976931348623157E308", "1.7976931348623157E308")
                .value("float8 min subnormal", "4.9e-324", "4.9E-324", "4.9E-324");
        t.type("e_float4", "float4")
                .value("float4 NaN", "'NaN'", "NaN", "NaN")
                .value("float4 -Infinity", "'-Infinity'", "-Infinity", "-Infinity");
        t.type("e_timestamp", "timestamp")
                .value("timestamp before 1900", "'1899-12-31 23:59:59.999999'", "-2208988800000001", "1899-12-31T23:59:59.999999")
                .value("timestamp year 1", "'0001-01-01 00:00:00'", "-62135596800000000", "0001-01-01T00:00")
                .value("timestamp after 9999", "'10000-01-01 00:00:00'", "253402300800000000", "+10000-01-01T00:00")
                .value("timestamp infinity", "'infinity'", "9223372036825200000", MAX_TIMESTAMP)
                .value("timestamp -infinity", "'-infinity'", "-9223372036832400000", MIN_TIMESTAMP)
                .value("timestamp leap micro", "'2024-02-29 23:59:59.123456'", "1709251199123456", "2024-02-29T23:59:59.123456");
        t.type("e_timestamp_3", "timestamp(3)")
                .value("timestamp(3) infinity", "'infinity'", "9223372036825200", MAX_TIMESTAMP)
                .value("timestamp(3) -infinity", "'-infinity'", "-9223372036832400", MIN_TIMESTAMP)
                .value("timestamp(3) before 1900", "'1700-01-01 00:00:00.5'", "-8520335999500", "1700-01-01T00:00:00.500");
        t.type("e_timestamptz", "timestamptz")
                .value("timestamptz before 1900", "'1850-06-01 12:00:00+00'", "1850-06-01T12:00:00.000000Z", "1850-06-01T12:00Z")
                .value("timestamptz after 9999", "'12000-01-01 00:00:00+00'", "+12000-01-01T00:00:00.000000Z", "+12000-01-01T00:00Z")
                .value("timestamptz infinity", "'infinity'", "infinity", MAX_TIMESTAMP + "Z")
                .value("timestamptz -infinity", "'-infinity'", "-infinity", MIN_TIMESTAMP + "Z");
        t.type("e_date", "date")
                .value("date year 1", "'0001-01-01'", "-719162", "0001-01-01")
                .value("date infinity", "'infinity'", "-2147472692", "+5881580-07-11")
                .value("date -infinity", "'-infinity'", "-2147472691", "-5877641-06-23")
                .value("date after 9999", "'20000-02-29'", "6585381", "+20000-02-29");
        t.type("e_text", "text")
                .value("text empty", "''", "", "")
                .value("text unicode and quotes", "'ü ✓ 🚀 \"q\" ''s'' \\ tab\t'", "ü ✓ 🚀 \"q\" 's' \\ tab\t", "ü ✓ 🚀 \"q\" 's' \\ tab\t")
                .value("text 50 MB", "repeat('0123456789', 5 * 1024 * 1024)", FIFTY_MB, FIFTY_MB);
        t.type("e_bytea", "bytea")
                .value("bytea empty", "'\\x'::bytea", "", "")
                .value("bytea binary", "'\\x00ff10'::bytea", "AP8Q", "00ff10");
        t.type("e_int_array", "int4[]")
                .value("int4[] with null", "'{1,NULL,3}'", "[1,null,3]", "[1,null,3]")
                .value("int4[] empty", "'{}'", "[]", "[]");
        t.type("e_text_array", "text[]")
                .value("text[] quoting", "ARRAY['a,b', 'c\"d', '']", "[\"a,b\",\"c\\\"d\",\"\"]", "[\"a,b\",\"c\\\"d\",\"\"]");
        t.type("e_json", "json")
                .value("json nested", "'{\"a\": [1, 2, {\"b\": null}]}'", "{\"a\": [1, 2, {\"b\": null}]}", "{\"a\": [1, 2, {\"b\": null}]}");
        t.type("e_jsonb", "jsonb")
                .value("jsonb unicode", "'{\"z\": 1, \"a\": \"ü\"}'", "{\"a\": \"ü\", \"z\": 1}", "{\"a\": \"ü\", \"z\": 1}");
        t.type("e_uuid", "uuid")
                .value("uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        t.type("e_enum", "mood")
                .value("enum", "'happy'", "happy", "happy");
        t.type("e_domain", "positive_int")
                .value("domain over int", "42", "42", "42");
        t.type("e_interval", "interval")
                .value("interval mixed", "'1 year 2 months 3 days 04:05:06.789'", "37091106789000", "37091106789000")
                .value("interval negative", "'-1 day'", "-86400000000", "-86400000000");
        t.type("e_money", "money")
                .value("money", "'1234.56'", decimal("1234.56"), "1234.56")
                .value("money negative", "'-0.01'", decimal("-0.01"), "-0.01");
        t.type("e_time", "time").value("time 24:00", "'24:00:00'", "86400000000", "23:59:59.999999").value("time micro", "'23:59:59.999999'", "86399999999", "23:59:59.999999");
        t.type("e_timetz", "timetz").value("timetz", "'12:34:56.789+05:30'", "07:04:56.789Z", "07:04:56.789Z");
        t.type("e_char", "char(5)").value("char padded", "'ab'", "ab   ", "ab   ");
        t.type("e_bit", "bit(4)").value("bit(4)", "B'1010'", "Cg==", "0a");
        t.type("e_varbit", "varbit").value("varbit", "B'101'", "BQ==", "05");
        t.type("e_inet", "inet").value("inet v6", "'2001:db8::1/64'", "2001:db8::1/64", "2001:db8::1/64");
        t.type("e_cidr", "cidr").value("cidr", "'10.0.0.0/8'", "10.0.0.0/8", "10.0.0.0/8");
        t.type("e_macaddr", "macaddr").value("macaddr", "'08:00:2b:01:02:03'", "08:00:2b:01:02:03", "08:00:2b:01:02:03");
        t.type("e_xml", "xml").value("xml", "'<a b=\"1\">ü</a>'", "<a b=\"1\">ü</a>", "<a b=\"1\">ü</a>");
        t.type("e_point", "point").value("point", "'(1.5,-2)'", "{\"x\":1.5,\"y\":-2.0,\"wkb\":\"AQEAAAAAAAAAAAD4PwAAAAAAAADA\",\"srid\":null}",
                        "{x=1.5, y=-2.0, wkb=0101000000000000000000f83f00000000000000c0, srid=null}");
        t.type("e_range", "int4range").value("int4range", "'[1,10)'", "[1,10)", "[1,10)");
        t.type("e_tsvector", "tsvector").value("tsvector", "'a fat cat'", "'a' 'cat' 'fat'", "'a' 'cat' 'fat'");
        t.in("Mixed Schema", "Order Lines", "Qty \"x\"", "int")
                .value("schema, table, column with spaces and quotes", "7", "7", "7");
        t.in("public", "dotted.name", "v", "text")
                .value("table with a dot", "'dot'", "dot", "dot");
        t.in("public", "café_ü", "naïve", "text")
                .value("unicode table and column", "'ü'", "ü", "ü");
        t.in("public", "CamelCase", "MixedCol", "int")
                .value("mixed-case table and column", "1", "1", "1");
        return List.copyOf(t.cases);
    }
}
