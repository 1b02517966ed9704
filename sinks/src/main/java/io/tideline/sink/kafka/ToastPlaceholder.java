package io.tideline.sink.kafka;

import org.apache.kafka.connect.data.Schema;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What Debezium's PostgreSQL connector sends for a TOASTed column that an UPDATE left unchanged (and the replica
 * identity does not carry): its {@code unavailable.value.placeholder}, default {@code __debezium_unavailable_value},
 * shaped to the column's type exactly as {@code io.debezium.connector.postgresql.UnchangedToastedPlaceholder} does.
 * Tideline sends the same so that Debezium consumers that already recognise the placeholder keep working; a table
 * with {@code REPLICA IDENTITY FULL} never reaches this, because the source then has the real value.
 */
final class ToastPlaceholder {

    static final String TEXT = "__debezium_unavailable_value";
    private static final byte[] BINARY = TEXT.getBytes(StandardCharsets.UTF_8);
    private static final String UUID_TEXT = UUID.nameUUIDFromBytes(BINARY).toString();
    private static final String UUID_LOGICAL = "io.debezium.data.Uuid";

    private ToastPlaceholder() {
    }

    static Object forSchema(Schema schema) {
        return switch (schema.type()) {
            case STRING -> TEXT;
            case BYTES -> BINARY.clone();
            case MAP -> Map.of(TEXT, TEXT);
            case ARRAY -> array(schema.valueSchema());
            default -> throw new IllegalStateException("Cannot write an unchanged TOASTed value for a column of type "
                    + schema.type() + " (" + schema.name() + "): Debezium has no placeholder for it. Set REPLICA IDENTITY "
                    + "FULL on the table so the source sends the real value.");
        };
    }

    private static List<Object> array(Schema element) {
        List<Object> out = new ArrayList<>();
        switch (element.type()) {
            case STRING -> out.add(UUID_LOGICAL.equals(element.name()) ? UUID_TEXT : TEXT);
            case BYTES -> out.add(BINARY.clone());
            case INT32 -> {
                for (byte b : BINARY) out.add((int) b);
            }
            case INT64 -> {
                for (byte b : BINARY) out.add((long) b);
            }
            default -> throw new IllegalStateException("Cannot write an unchanged TOASTed array of " + element.type()
                    + ": Debezium has no placeholder for it. Set REPLICA IDENTITY FULL on the table so the source "
                    + "sends the real value.");
        }
        return out;
    }
}
