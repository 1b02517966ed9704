package io.tideline.sink.kafka;

import io.tideline.api.TableId;
import io.tideline.sink.NameClaims;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code <prefix>.<schema>.<table>}, with characters Kafka does not allow in topic names replaced by '_' as Debezium does. */
final class TopicNames {

    private static final int MAX_CACHED = 4096;

    private final String prefix;
    /** Every change asks; a table's name is built once. Shared by the sink's writers. */
    private final Map<TableId, String> names = new ConcurrentHashMap<>();
    private final NameClaims claims = new NameClaims("Kafka topic");

    TopicNames(String prefix) {
        this.prefix = prefix;
    }

    String topicFor(TableId table) {
        String name = names.get(table);
        if (name == null) {
            name = claims.claim(sanitize(prefix + "." + table.schema() + "." + table.table()), table);
            if (names.size() >= MAX_CACHED) names.clear();
            names.put(table, name);
        }
        return name;
    }

    static String sanitize(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            b.append(legal ? c : '_');
        }
        return b.toString();
    }
}
