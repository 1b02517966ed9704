package io.tideline.source;

import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Spills a buffered data change as Connect JSON with schemas, which round-trips names, versions, parameters,
 * defaults and logical types. Only the part of a transaction beyond the in-memory limit pays for it. The offset
 * is not kept: only END markers and snapshot rows are ever acknowledged, and those are never spilled.
 */
final class SourceRecordCodec implements TransactionBuffer.Codec<SourceRecord> {

    private final JsonConverter keys = converter(true);
    private final JsonConverter values = converter(false);

    private static JsonConverter converter(boolean isKey) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", "true", "schemas.cache.size", "1000"), isKey);
        return c;
    }

    @Override
    public byte[] encode(SourceRecord r) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeUTF(r.topic());
            write(out, r.key() == null ? null : keys.fromConnectData(r.topic(), r.keySchema(), r.key()));
            write(out, values.fromConnectData(r.topic(), r.valueSchema(), r.value()));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public SourceRecord decode(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            String topic = in.readUTF();
            byte[] k = read(in);
            byte[] v = read(in);
            SchemaAndValue key = k == null ? SchemaAndValue.NULL : keys.toConnectData(topic, k);
            SchemaAndValue value = values.toConnectData(topic, v);
            return new SourceRecord(null, null, topic, null, key.schema(), key.value(), value.schema(), value.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(b.length);
            out.write(b);
        }
    }

    private static byte[] read(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
