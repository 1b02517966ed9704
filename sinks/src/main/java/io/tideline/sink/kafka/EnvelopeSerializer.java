package io.tideline.sink.kafka;

import io.tideline.api.ChangeEvent;
import io.tideline.api.FieldType;
import io.tideline.api.Row;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;

import java.io.IOException;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serializes a change as Debezium's PostgreSQL connector + JsonConverter would: the key struct
 * ({@code <topic>.Key}) and the envelope ({@code <topic>.Envelope}, version 2: before, after, source, transaction, op,
 * ts_ms, ts_us, ts_ns, in the PostgreSQL connector's order). The envelope's ts_* are processing time, as in Debezium;
 * {@code transaction} is null, as with Debezium's default {@code provide.transaction.metadata=false}. Not thread-safe.
 */
final class EnvelopeSerializer {

    static final String SOURCE_SCHEMA = "io.debezium.connector.postgresql.Source";
    private static final byte[] NOTHING = new byte[0];

    private static final Schema TRANSACTION_BLOCK = SchemaBuilder.struct().optional().name("event.block").version(1)
            .field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA)
            .field("data_collection_order", Schema.INT64_SCHEMA)
            .build();

    private final ConnectSchemas schemas = new ConnectSchemas();
    private final PayloadWriter direct = new PayloadWriter(schemas);
    private final SourceBlocks sources = new SourceBlocks(schemas);
    private final JsonConverter keyConverter;
    private final JsonConverter valueConverter;
    private final JsonConverter rowConverter;
    /** Non-null when schemas are enabled: the converters then write payloads only, wrapped here. */
    private final SchemaEnvelopes withSchemas;
    private final Map<Schema, Map<Schema, Schema>> envelopes = new IdentityHashMap<>();
    private final Map<Schema, EnvelopeFields> envelopeFields = new IdentityHashMap<>();
    /** A topic's key and value schema names, built once: every record asks (the topic is one cached instance). */
    private final Map<String, String[]> schemaNames = new IdentityHashMap<>();

    EnvelopeSerializer(boolean schemasEnable) {
        keyConverter = converter("key", false);
        valueConverter = converter("value", false);
        rowConverter = converter("value", false);
        withSchemas = schemasEnable ? new SchemaEnvelopes(converter("value", true)) : null;
    }

    private static JsonConverter converter(String type, boolean schemasEnable) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("converter.type", type, "schemas.enable", String.valueOf(schemasEnable)));
        return c;
    }

    /** The serialized key, or null for a table without a primary key (Debezium sends no key then). */
    byte[] key(ChangeEvent event, String topic) {
        if (event.key() == null) return null;
        KeyShape shape = keyShape(topic, event.key().schema());
        Schema schema = shape.schema();
        byte[] framed = shape.direct() ? directKey(shape, event.key()) : null;
        if (framed != null) return framed;
        return withSchema(schema, keyConverter.fromConnectData(topic, schema, schemas.struct(event.key(), schema)));
    }

    /** The row image alone, without schema: a stable basis to partition keyless tables on. */
    byte[] rowImage(ChangeEvent event, String topic) {
        Row image = event.image();
        if (image == null) return new byte[0];
        Schema schema = schemas.schema(image.schema(), names(topic)[1]);
        return rowConverter.fromConnectData(topic, schema, schemas.struct(image, schema));
    }

    /** The serialized envelope, with ts_ms/ts_us/ts_ns set from {@code processedAt}. */
    byte[] value(ChangeEvent event, String topic, Instant processedAt) {
        Row rowShape = event.after() != null ? event.after() : event.before();
        if (rowShape == null) {
            throw new IllegalArgumentException("Cannot serialize " + event.op() + " of " + event.table() + " at "
                    + event.position() + ": it has neither a before nor an after image. Fix the source.");
        }
        Row source = event.source() != null ? event.source() : SyntheticSource.of(event);
        ValueShape shape = valueShape(topic, rowShape.schema(), source.schema());
        Schema valueSchema = shape.valueSchema();
        Schema envelope = shape.envelope();
        byte[] framed = shape.direct() ? directValue(event, shape, source, processedAt) : null;
        if (framed != null) return framed;

        Struct s = new Struct(envelope);
        if (event.before() != null) s.put("before", schemas.struct(event.before(), valueSchema));
        if (event.after() != null) s.put("after", schemas.struct(event.after(), valueSchema));
        s.put("source", schemas.struct(source, shape.sourceSchema()));
        s.put("op", event.op().code());
        long micros = micros(processedAt);
        s.put("ts_ms", processedAt.toEpochMilli());
        s.put("ts_us", micros);
        s.put("ts_ns", nanos(processedAt));
        return withSchema(envelope, valueConverter.fromConnectData(topic, envelope, s));
    }

    /**
     * Debezium's truncate event: the source block and {@code op} "t", no row images (a TRUNCATE names no row), and
     * no key. Written through JsonConverter: truncates are rare.
     */
    byte[] truncate(ChangeEvent event, String topic, Instant processedAt) {
        Row source = event.source() != null ? event.source() : SyntheticSource.of(event);
        Schema sourceSchema = schemas.schema(source.schema(), null);
        Schema envelope = truncateEnvelopes.computeIfAbsent(sourceSchema, s -> org.apache.kafka.connect.data.SchemaBuilder.struct()
                .name(topic + ".Envelope").version(2)
                .field("source", s)
                .field("op", Schema.STRING_SCHEMA)
                .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
                .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
                .build());
        Struct st = new Struct(envelope);
        st.put("source", schemas.struct(source, sourceSchema));
        st.put("op", event.op().code());
        st.put("ts_ms", processedAt.toEpochMilli());
        st.put("ts_us", micros(processedAt));
        st.put("ts_ns", nanos(processedAt));
        return withSchema(envelope, valueConverter.fromConnectData(topic, envelope, st));
    }

    private final Map<Schema, Schema> truncateEnvelopes = new IdentityHashMap<>();

    private String[] names(String topic) {
        String[] n = schemaNames.get(topic);
        if (n == null) {
            if (schemaNames.size() >= 4096) schemaNames.clear();
            n = new String[] {topic + ".Key", topic + ".Value"};
            schemaNames.put(topic, n);
        }
        return n;
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** The key written directly (in its schema envelope when schemas are on), or null when JsonConverter must write it. */
    private byte[] directKey(KeyShape shape, Row key) {
        try {
            JsonGenerator g = direct.start(shape.head());
            return direct.writeRow(g, shape.schema(), key) ? direct.finish(g, tail()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The envelope written directly, field for field in the envelope schema's order (in its schema envelope when
     * schemas are on), or null when JsonConverter must write it.
     */
    private byte[] directValue(ChangeEvent event, ValueShape shape, Row source, Instant processedAt) {
        Schema valueSchema = shape.valueSchema();
        Schema sourceSchema = shape.sourceSchema();
        try {
            JsonGenerator g = direct.start(shape.head());
            g.writeStartObject();
            List<org.apache.kafka.connect.data.Field> fields = shape.envelope().fields();
            EnvelopeFields plan = shape.fields();
            for (int i = 0; i < plan.names().length; i++) {
                org.apache.kafka.connect.data.Field f = fields.get(i);
                g.writeFieldName(plan.names()[i]);
                Part part = plan.parts()[i];
                boolean ok = part != null && switch (part) {
                    case BEFORE -> row(g, valueSchema, event.before());
                    case AFTER -> row(g, valueSchema, event.after());
                    case SOURCE -> sources.write(g, direct, sourceSchema, source);
                    case TRANSACTION -> direct.writeValue(g, TRANSACTION_BLOCK, null);
                    case OP -> direct.writeValue(g, f.schema(), event.op().code());
                    case TS_MS -> direct.writeValue(g, f.schema(), processedAt.toEpochMilli());
                    case TS_US -> direct.writeValue(g, f.schema(), micros(processedAt));
                    case TS_NS -> direct.writeValue(g, f.schema(), nanos(processedAt));
                };
                if (!ok) return null;
            }
            g.writeEndObject();
            return direct.finish(g, tail());
        } catch (IOException e) {
            return null;
        }
    }

    /** The envelope's fields {@link #directValue} writes; null in a plan for a field it does not know. */
    private enum Part {
        BEFORE, AFTER, SOURCE, TRANSACTION, OP, TS_MS, TS_US, TS_NS;

        static Part of(String field) {
            for (Part p : values()) if (p.name().equalsIgnoreCase(field)) return p;
            return null;
        }
    }

    /**
     * An envelope's field names, quoted and UTF-8 encoded once (written as text they were a sixth of the writer's
     * CPU), and which part each one is.
     */
    private record EnvelopeFields(SerializedString[] names, Part[] parts) {
    }

    private EnvelopeFields envelopeFields(Schema envelope) {
        EnvelopeFields known = envelopeFields.get(envelope);
        if (known == null) {
            List<org.apache.kafka.connect.data.Field> fields = envelope.fields();
            SerializedString[] names = new SerializedString[fields.size()];
            Part[] parts = new Part[fields.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = new SerializedString(fields.get(i).name());
                parts[i] = Part.of(fields.get(i).name());
            }
            known = new EnvelopeFields(names, parts);
            if (envelopeFields.size() >= 4096) envelopeFields.clear();
            envelopeFields.put(envelope, known);
        }
        return known;
    }

    private boolean row(JsonGenerator g, Schema schema, Row row) throws IOException {
        if (row == null) {
            g.writeNull();
            return true;
        }
        return direct.writeRow(g, schema, row);
    }

    private byte[] head(Schema schema) {
        return withSchemas == null ? NOTHING : withSchemas.prefix(schema);
    }

    private byte[] tail() {
        return withSchemas == null ? NOTHING : SchemaEnvelopes.SUFFIX;
    }

    private byte[] withSchema(Schema schema, byte[] payload) {
        return withSchemas == null ? payload : withSchemas.wrap(schema, payload);
    }

    /**
     * What a record of one topic, row type and source type resolves to. Consecutive records mostly share all three, so
     * the last one is kept and compared by reference: resolving it walks about ten maps, which cost the writer more
     * than writing a short row.
     */
    private record ValueShape(String topic, FieldType row, FieldType source, Schema valueSchema, Schema sourceSchema,
                              Schema envelope, EnvelopeFields fields, byte[] head, boolean direct) {
    }

    private record KeyShape(String topic, FieldType key, Schema schema, byte[] head, boolean direct) {
    }

    private ValueShape lastValue;
    private KeyShape lastKey;

    private ValueShape valueShape(String topic, FieldType row, FieldType source) {
        ValueShape v = lastValue;
        if (v != null && v.topic() == topic && v.row() == row && v.source() == source) return v;
        // Debezium's before/after are optional structs whatever the source's row type says.
        Schema valueSchema = schemas.schema(row, names(topic)[1], true);
        Schema sourceSchema = schemas.schema(source, null);
        Schema envelope = envelopeSchema(topic, valueSchema, sourceSchema);
        boolean directly = direct.eligible(valueSchema) && direct.eligible(sourceSchema);
        v = new ValueShape(topic, row, source, valueSchema, sourceSchema, envelope, envelopeFields(envelope),
                directly ? head(envelope) : NOTHING, directly);
        lastValue = v;
        return v;
    }

    private KeyShape keyShape(String topic, FieldType key) {
        KeyShape k = lastKey;
        if (k != null && k.topic() == topic && k.key() == key) return k;
        Schema schema = schemas.schema(key, names(topic)[0]);
        boolean directly = direct.eligible(schema);
        k = new KeyShape(topic, key, schema, directly ? head(schema) : NOTHING, directly);
        lastKey = k;
        return k;
    }

    private Schema envelopeSchema(String topic, Schema valueSchema, Schema sourceSchema) {
        // Schemas come from the ConnectSchemas cache, so identity is equality here and cheap to look up.
        if (envelopes.size() > 4096) envelopes.clear();
        return envelopes.computeIfAbsent(valueSchema, v -> new IdentityHashMap<>()).computeIfAbsent(sourceSchema, k ->
                SchemaBuilder.struct().name(topic + ".Envelope").version(2)
                        .field("before", valueSchema)
                        .field("after", valueSchema)
                        .field("source", sourceSchema)
                        .field("transaction", TRANSACTION_BLOCK)
                        .field("op", Schema.STRING_SCHEMA)
                        .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                        .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
                        .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
                        .build());
    }
}
