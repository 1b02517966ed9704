package io.tideline.runtime;

import io.tideline.api.Row;
import io.tideline.api.Unchanged;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code <column> <op> <literal>} with {@code = != < <= > >=}. The literal is a number, {@code true}/{@code false},
 * {@code null}, or text (optionally in single quotes, {@code ''} for a quote).
 *
 * <p>Null-safe: {@code =} and {@code !=} compare like SQL's {@code IS [NOT] DISTINCT FROM} (null = null holds,
 * null != 5 holds); the ordering operators never hold for a null. A row image that does not carry the column
 * (a delete's key-only before image) or carries it as {@link Unchanged} passes: the filter cannot decide, and
 * dropping a delete would leave a stale row in the sink.
 */
final class RowFilter {

    enum Op { EQ, NE, LT, LE, GT, GE }

    private static final Pattern SHAPE = Pattern.compile("\\s*(\"[^\"]+\"|[^\\s=!<>]+)\\s*(=|!=|<>|<=|>=|<|>)\\s*(.*?)\\s*");

    private final String column;
    private final Op op;
    private final Object literal; // null, Boolean, BigDecimal or String
    private final String text;

    private RowFilter(String column, Op op, Object literal, String text) {
        this.column = column;
        this.op = op;
        this.literal = literal;
        this.text = text;
    }

    static RowFilter parse(String property, String text) {
        Matcher m = SHAPE.matcher(text == null ? "" : text);
        if (!m.matches() || m.group(3).isEmpty()) {
            throw new IllegalArgumentException("Cannot read row filter " + property + "='" + text
                    + "': expected '<column> <op> <literal>' with op one of = != < <= > >=, e.g. status = 'active'.");
        }
        String column = m.group(1).startsWith("\"") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        Op op = switch (m.group(2)) {
            case "=" -> Op.EQ;
            case "!=", "<>" -> Op.NE;
            case "<" -> Op.LT;
            case "<=" -> Op.LE;
            case ">" -> Op.GT;
            default -> Op.GE;
        };
        return new RowFilter(column, op, literal(m.group(3)), text.trim());
    }

    private static Object literal(String raw) {
        if (raw.length() >= 2 && raw.startsWith("'") && raw.endsWith("'")) {
            return raw.substring(1, raw.length() - 1).replace("''", "'");
        }
        if (raw.equalsIgnoreCase("null")) return null;
        if (raw.equalsIgnoreCase("true")) return Boolean.TRUE;
        if (raw.equalsIgnoreCase("false")) return Boolean.FALSE;
        try {
            return new BigDecimal(raw);
        } catch (NumberFormatException e) {
            return raw;
        }
    }

    /** Whether the change whose stored image is {@code image} is kept. */
    boolean test(Row image) {
        if (image == null) return true;
        int i = image.indexOf(column);
        if (i < 0) return true;
        Object value = image.get(i);
        if (value == Unchanged.VALUE) return true;
        if (value == null || literal == null) {
            boolean same = value == null && literal == null;
            return switch (op) {
                case EQ -> same;
                case NE -> !same;
                default -> false;
            };
        }
        int c = compare(value, literal);
        return switch (op) {
            case EQ -> c == 0;
            case NE -> c != 0;
            case LT -> c < 0;
            case LE -> c <= 0;
            case GT -> c > 0;
            case GE -> c >= 0;
        };
    }

    private static int compare(Object value, Object literal) {
        if (literal instanceof BigDecimal number) {
            BigDecimal v = toDecimal(value);
            if (v != null) return v.compareTo(number);
        }
        if (literal instanceof Boolean b && value instanceof Boolean v) return Boolean.compare(v, b);
        String s = literal instanceof BigDecimal d ? d.toPlainString() : String.valueOf(literal);
        return String.valueOf(value).compareTo(s);
    }

    private static BigDecimal toDecimal(Object value) {
        if (value instanceof BigDecimal d) return d;
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
        }
        if (value instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
