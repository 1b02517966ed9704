package io.tideline.sink.kafka;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.tideline.api.Row;
import org.apache.kafka.connect.data.Schema;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes a change's source block, reusing its JSON while consecutive changes carry the same source row: every row
 * of a snapshot chunk shares one block (one read, one LSN), and writing it again per row cost the sink writer about
 * as much as the row itself. A streamed change brings its own source row and is written directly, as before: the
 * block is kept only once a row repeats, so streaming pays nothing for it. Not thread-safe.
 */
final class SourceBlocks {

    private static final byte[] NOTHING = new byte[0];

    private final PayloadWriter own;
    private Row last;
    private Schema lastSchema;
    private SerializedString json;

    SourceBlocks(ConnectSchemas schemas) {
        this.own = new PayloadWriter(schemas);
    }

    /** Writes {@code source} under {@code schema} (an eligible one) as {@code direct} would; false as it would. */
    boolean write(JsonGenerator g, PayloadWriter direct, Schema schema, Row source) throws IOException {
        if (source != last || schema != lastSchema) {
            last = source;
            lastSchema = schema;
            json = null;
            return direct.writeRow(g, schema, source);
        }
        if (json == null) {
            JsonGenerator block = own.start(NOTHING);
            if (!own.writeRow(block, schema, source)) {
                last = null;
                return direct.writeRow(g, schema, source);
            }
            json = new SerializedString(new String(own.finish(block, NOTHING), StandardCharsets.UTF_8));
        }
        g.writeRawValue(json);
        return true;
    }
}
