package io.tideline.sink.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.tideline.api.Row;
import io.tideline.api.Unchanged;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a row's JSON payload straight from Tideline's values, for the schemas where that is provably what
 * JsonConverter writes: structs of ints, floats, booleans and strings without Connect logical types (the only names
 * JsonConverter converts). It builds no Connect Struct and no Jackson tree — the two per-record allocations that made
 * serialization the sink writer's cost. Jackson's generator writes the tokens, as it does for JsonConverter's tree.
 * Anything else (decimals, bytes, arrays, maps, temporal types, a value of an unexpected class) makes {@link #write}
 * return null, and the caller takes JsonConverter's path. Not thread-safe.
 */
final class PayloadWriter {

    private static final int MAX_SCHEMAS = 4096;
    private static final JsonFactory JSON = new JsonFactory();

    private final ConnectSchemas schemas;
    private final Map<Schema, Boolean> eligible = new IdentityHashMap<>();
    /** Each struct schema's field names, quoted and UTF-8 encoded once. */
    private final Map<Schema, SerializedString[]> names = new IdentityHashMap<>();
    private final RecordBuffer out = new RecordBuffer(8192);
    private JsonGenerator generator;
    /** A record was started and not finished. */
    private boolean open;

    PayloadWriter(ConnectSchemas schemas) {
        this.schemas = schemas;
    }

    /** Whether every field of {@code struct}, recursively, takes the direct path. */
    boolean eligible(Schema struct) {
        Boolean known = eligible.get(struct);
        if (known != null) return known;
        boolean ok = check(struct);
        if (eligible.size() >= MAX_SCHEMAS) eligible.clear();
        eligible.put(struct, ok);
        return ok;
    }

    private boolean check(Schema s) {
        String name = s.name();
        if (name != null && name.startsWith("org.apache.kafka.connect.data.")) return false;
        return switch (s.type()) {
            case INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING -> true;
            case STRUCT -> {
                for (Field f : s.fields()) if (!check(f.schema())) yield false;
                yield true;
            }
            default -> false;
        };
    }

    /**
     * A generator over the reused buffer, after {@code head} (the schema envelope's opening, or nothing); finish with
     * {@link #finish}, so a record is framed in place instead of copied into its envelope afterwards.
     */
    JsonGenerator start(byte[] head) {
        if (generator == null || open) {
            // One generator for every record: creating and closing one per record cost ~1/8 of the writer's CPU
            // (buffer recycling). A record left unfinished (its caller fell back to JsonConverter) leaves the
            // generator inside an object, so that one is dropped with whatever it still buffers.
            try {
                generator = JSON.createGenerator(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            generator.setRootValueSeparator(null);
        }
        open = true;
        out.reset();
        out.write(head, 0, head.length);
        return generator;
    }

    /** The bytes written since {@link #start}, then {@code tail}. */
    byte[] finish(JsonGenerator g, byte[] tail) throws IOException {
        g.flush();
        open = false;
        out.write(tail, 0, tail.length);
        return out.toByteArray();
    }

    /**
     * Writes {@code row} under {@code struct} (an {@link #eligible} schema); false when a value is not of the class the
     * schema expects, so that the caller falls back to JsonConverter (which reports the mismatch).
     */
    boolean writeRow(JsonGenerator g, Schema struct, Row row) throws IOException {
        List<Field> fields = struct.fields();
        SerializedString[] quoted = names(struct);
        g.writeStartObject();
        for (int i = 0; i < fields.size(); i++) {
            Field f = fields.get(i);
            g.writeFieldName(quoted[i]);
            Object raw = row.get(i);
            // Eligible schemas carry no Connect logical type, so ConnectSchemas.value would only narrow numbers
            // (writeValue does) and replace an unchanged TOAST value by its placeholder (done here).
            Object v = raw == Unchanged.VALUE ? schemas.value(f.schema(), raw) : raw;
            if (!writeValue(g, f.schema(), v)) return false;
        }
        g.writeEndObject();
        return true;
    }

    private SerializedString[] names(Schema struct) {
        SerializedString[] quoted = names.get(struct);
        if (quoted == null) {
            List<Field> fields = struct.fields();
            quoted = new SerializedString[fields.size()];
            for (int i = 0; i < quoted.length; i++) quoted[i] = new SerializedString(fields.get(i).name());
            if (names.size() >= MAX_SCHEMAS) names.clear();
            names.put(struct, quoted);
        }
        return quoted;
    }

    /**
     * One value as JsonConverter.convertToJson writes it, a null included (the default, else null). Numbers of
     * another width are narrowed or widened as {@link ConnectSchemas#value} does before JsonConverter sees them.
     */
    boolean writeValue(JsonGenerator g, Schema s, Object v) throws IOException {
        if (v == null) {
            if (s.defaultValue() != null) return writeValue(g, s, s.defaultValue());
            if (!s.isOptional()) return false;
            g.writeNull();
            return true;
        }
        switch (s.type()) {
            case INT8 -> {
                if (!(v instanceof Number n)) return false;
                g.writeNumber((int) n.byteValue());
            }
            case INT16 -> {
                if (!(v instanceof Number n)) return false;
                g.writeNumber(n.shortValue());
            }
            case INT32 -> {
                if (!(v instanceof Number n)) return false;
                g.writeNumber(n.intValue());
            }
            case INT64 -> {
                if (!(v instanceof Number n)) return false;
                g.writeNumber(n.longValue());
            }
            case FLOAT32 -> {
                if (!(v instanceof Number n)) return false;
                g.writeNumber(n.floatValue());
            }
            case FLOAT64 -> {
                if (!(v instanceof Number n)) return false;
                g.writeNumber(n.doubleValue());
            }
            case BOOLEAN -> {
                if (!(v instanceof Boolean b)) return false;
                g.writeBoolean(b);
            }
            case STRING -> {
                if (!(v instanceof String str)) return false;
                g.writeString(str);
            }
            case STRUCT -> {
                if (!(v instanceof Row r)) return false;
                return writeRow(g, s, r);
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
