package io.tideline.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Field;
import io.tideline.api.FieldType;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.Row;
import io.tideline.api.TableId;
import io.tideline.api.Unchanged;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class OperatorsTest {

    private static final TableId USERS = new TableId("public", "users");
    private static final FieldType KEY = FieldType.struct("users.Key", false, List.of(new Field("id", FieldType.of(FieldType.Kind.INT64, false))));
    private static final FieldType VALUE = FieldType.struct("users.Value", true, List.of(
            new Field("id", FieldType.of(FieldType.Kind.INT64, false)),
            new Field("email", FieldType.of(FieldType.Kind.STRING, true)),
            new Field("age", FieldType.of(FieldType.Kind.INT32, true)),
            new Field("status", FieldType.of(FieldType.Kind.STRING, true)),
            new Field("active", FieldType.of(FieldType.Kind.BOOLEAN, true)),
            new Field("balance", FieldType.of(FieldType.Kind.BYTES, true).withLogical("org.apache.kafka.connect.data.Decimal", 1, Map.of("scale", "2")))));

    private static ChangeEvent user(Op op, long id, String email, Integer age, String status, Boolean active, BigDecimal balance) {
        Row key = new Row(KEY, new Object[]{id});
        Row row = new Row(VALUE, new Object[]{id, email, age, status, active, balance});
        Row after = op == Op.DELETE ? null : row;
        Row before = op == Op.DELETE ? row : null;
        return new ChangeEvent(USERS, op, key, before, after, null, new Position(100, 0), 1L, true);
    }

    private static ChangeEvent user(long id, String email, Integer age, String status) {
        return user(Op.CREATE, id, email, age, status, true, new BigDecimal("10.50"));
    }

    private static String sha256Hex(String salt, String value) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(salt.getBytes(StandardCharsets.UTF_8));
        md.update(value.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
    }

    private static List<String> names(Row row) {
        return row.schema().fields().stream().map(Field::name).toList();
    }

    @Test
    void tablesWithoutOperatorsPassUnchanged() {
        ChangeEvent e = user(1, "a@x", 30, "active");
        assertSame(e, Operators.none().apply(e));
        assertSame(e, Operators.fromProperties(Map.of("other.t.filter", "x = 1")).apply(e));
    }

    @Test
    void includeKeepsListedColumnsAndAlwaysTheKeyAndRebuildsTheSchema() {
        Operators ops = Operators.fromProperties(Map.of("public.users.columns.include", "email, age"));
        ChangeEvent out = ops.apply(user(1, "a@x", 30, "active"));
        assertEquals(List.of("id", "email", "age"), names(out.after()));
        assertEquals(List.of(1L, "a@x", 30), List.of(out.after().get(0), out.after().get(1), out.after().get(2)));
        assertEquals("users.Value", out.after().schema().logicalName());
        assertTrue(out.after().schema().optional());
        assertEquals(FieldType.Kind.INT32, out.after().schema().field("age").type().kind());
    }

    @Test
    void excludeDropsColumnsButNeverTheKey() {
        Operators ops = Operators.fromProperties(Map.of("public.users.columns.exclude", "status,id,balance"));
        ChangeEvent out = ops.apply(user(Op.DELETE, 1, "a@x", 30, "gone", false, null));
        assertNull(out.after());
        assertEquals(List.of("id", "email", "age", "active"), names(out.before()));
        assertEquals(user(1, "a", 1, "s").key(), out.key());
    }

    @Test
    void maskReplacesValuesWithSaltedSha256HexAndRetypesAsString() throws Exception {
        Operators ops = Operators.fromProperties(Map.of("public.users.columns.mask", "email,age,balance", "mask.salt", "pepper"));
        ChangeEvent out = ops.apply(user(1, "a@x", 30, "active"));
        assertEquals(sha256Hex("pepper", "a@x"), out.after().get("email"));
        assertEquals(sha256Hex("pepper", "30"), out.after().get("age"));
        assertEquals(sha256Hex("pepper", "10.50"), out.after().get("balance"));
        assertEquals(64, ((String) out.after().get("email")).length());
        for (String masked : List.of("email", "age", "balance")) {
            FieldType t = out.after().schema().field(masked).type();
            assertEquals(FieldType.Kind.STRING, t.kind());
            assertNull(t.logicalName(), "a masked decimal is no longer a decimal");
            assertTrue(t.optional());
        }
        assertEquals("active", out.after().get("status"));
    }

    @Test
    void maskKeepsNullAndUnchangedPlaceholders() {
        Operators ops = Operators.fromProperties(Map.of("public.users.columns.mask", "email,status", "mask.salt", "pepper"));
        ChangeEvent e = user(1, null, 30, "x");
        Row after = new Row(VALUE, new Object[]{1L, null, 30, Unchanged.VALUE, true, null});
        ChangeEvent out = ops.apply(e.withRows(null, after));
        assertNull(out.after().get("email"));
        assertSame(Unchanged.VALUE, out.after().get("status"));
    }

    @Test
    void maskingAKeyColumnHashesKeyAndImagesConsistently() {
        Operators ops = Operators.fromProperties(Map.of("public.users.columns.mask", "id", "mask.salt", "pepper"));
        ChangeEvent a = ops.apply(user(7, "a@x", 30, "active"));
        ChangeEvent b = ops.apply(user(Op.UPDATE, 7, "b@x", 31, "active", true, null));
        ChangeEvent other = ops.apply(user(8, "a@x", 30, "active"));
        assertEquals(a.key().get("id"), a.after().get("id"));
        assertEquals(a.keyHash(), b.keyHash(), "every change of one key still lands on one partition");
        assertNotEquals(a.key(), other.key());
        assertEquals(FieldType.Kind.STRING, a.key().schema().field("id").type().kind());
    }

    @Test
    void filterComparesNumbersStringsAndBooleans() {
        assertTrue(keeps("age >= 30", user(1, "a", 30, "s")));
        assertFalse(keeps("age > 30", user(1, "a", 30, "s")));
        assertTrue(keeps("age < 31", user(1, "a", 30, "s")));
        assertTrue(keeps("age <= 30", user(1, "a", 30, "s")));
        assertTrue(keeps("age = 30.0", user(1, "a", 30, "s")), "numeric comparison, not text");
        assertTrue(keeps("age != 31", user(1, "a", 30, "s")));
        assertTrue(keeps("age <> 31", user(1, "a", 30, "s")));
        assertTrue(keeps("status = 'active'", user(1, "a", 30, "active")));
        assertFalse(keeps("status != 'active'", user(1, "a", 30, "active")));
        assertTrue(keeps("status = 'it''s'", user(1, "a", 30, "it's")));
        assertTrue(keeps("status=active", user(1, "a", 30, "active")), "bare words are text");
        assertTrue(keeps("active = true", user(Op.CREATE, 1, "a", 30, "s", true, null)));
        assertFalse(keeps("active = true", user(Op.CREATE, 1, "a", 30, "s", false, null)));
        assertTrue(keeps("balance > 10", user(Op.CREATE, 1, "a", 30, "s", true, new BigDecimal("10.5"))));
    }

    @Test
    void filterIsNullSafe() {
        ChangeEvent nullAge = user(1, "a", null, "s");
        assertFalse(keeps("age > 3", nullAge));
        assertFalse(keeps("age <= 3", nullAge));
        assertFalse(keeps("age = 3", nullAge));
        assertTrue(keeps("age != 3", nullAge), "null is distinct from 3");
        assertTrue(keeps("age = null", nullAge));
        assertFalse(keeps("age != null", nullAge));
        assertTrue(keeps("age != null", user(1, "a", 3, "s")));
        assertFalse(keeps("age < null", user(1, "a", 3, "s")));
    }

    @Test
    void filterUsesTheDeleteImageAndPassesWhatItCannotDecide() {
        assertFalse(keeps("status = 'active'", user(Op.DELETE, 1, "a", 3, "gone", true, null)));
        FieldType keyOnly = FieldType.struct("users.Value", true, List.of(new Field("id", FieldType.of(FieldType.Kind.INT64, false))));
        ChangeEvent deleteKeyOnly = new ChangeEvent(USERS, Op.DELETE, new Row(KEY, new Object[]{1L}),
                new Row(keyOnly, new Object[]{1L}), null, null, new Position(1, 0), 1, true);
        assertTrue(keeps("status = 'active'", deleteKeyOnly), "a key-only delete is never dropped");
        Row unchanged = new Row(VALUE, new Object[]{1L, "a", 1, Unchanged.VALUE, true, null});
        assertTrue(keeps("status = 'active'", user(1, "a", 1, "s").withRows(null, unchanged)));
    }

    @Test
    void filterRunsBeforeMaskingAndProjection() {
        Operators ops = Operators.fromProperties(Map.of("public.users.filter", "email = 'a@x'",
                "public.users.columns.exclude", "email"));
        ChangeEvent out = ops.apply(user(1, "a@x", 30, "s"));
        assertNotNull(out);
        assertFalse(out.after().has("email"));
        assertNull(ops.apply(user(2, "b@x", 30, "s")));
    }

    @Test
    void routeRenamesTheTable() {
        Operators ops = Operators.fromProperties(Map.of("tideline.transforms.public.users.route", "crm.customers"));
        ChangeEvent out = ops.apply(user(1, "a", 1, "s"));
        assertEquals(new TableId("crm", "customers"), out.table());
        assertEquals(new TableId("public", "orders"), Operators.fromProperties(Map.of("public.users.route", "orders"))
                .apply(user(1, "a", 1, "s")).table());
    }

    @Test
    void mixedCaseTableNamesAreMatchedExactly() {
        TableId mixed = new TableId("Sales", "OrderLines");
        Operators ops = Operators.fromProperties(Map.of("Sales.OrderLines.route", "sales.order_lines"));
        ChangeEvent e = user(1, "a", 1, "s").withTable(mixed);
        assertEquals(new TableId("sales", "order_lines"), ops.apply(e).table());
        assertEquals(new TableId("sales", "orderlines"), ops.apply(e.withTable(new TableId("sales", "orderlines"))).table(),
                "a differently cased table is another table");
    }

    @Test
    void badPropertiesAreRejectedNamingTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Operators.fromProperties(Map.of("public.users.colums.include", "a")));
        assertTrue(e.getMessage().startsWith("Cannot read transform property 'tideline.transforms.public.users.colums.include'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Operators.fromProperties(Map.of("public.users.filter", "age ~ 3")));
        assertTrue(e.getMessage().contains("tideline.transforms.public.users.filter") && e.getMessage().contains("<column> <op> <literal>"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Operators.fromProperties(Map.of("users.filter", "a = 1")));
        assertTrue(e.getMessage().contains("<schema>.<table>"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Operators.fromProperties(Map.of("public.users.route", " ")));
        assertTrue(e.getMessage().contains("route"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Operators.fromProperties(Map.of("public.users.columns.include", ",")));
        assertTrue(e.getMessage().contains("columns.include"), e.getMessage());
    }

    @Test
    void maskingWithoutASaltIsRefusedAndTheSaltIsNeverEchoed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Operators.fromProperties(Map.of("public.users.columns.mask", "email")));
        assertTrue(e.getMessage().contains("tideline.transforms.mask.salt"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Operators.fromProperties(Map.of("public.users.columns.mask", "email", "mask.salt", "topsecret", "x.y.bogus", "1")));
        assertFalse(e.getMessage().contains("topsecret"));
    }

    private static boolean keeps(String filter, ChangeEvent e) {
        return Operators.fromProperties(Map.of("public.users.filter", filter)).apply(e) != null;
    }
}
