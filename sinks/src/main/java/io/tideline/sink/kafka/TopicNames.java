package io.tideline.sink.kafka;

import io.tideline.api.TableId;

/** {@code <prefix>.<schema>.<table>}, with characters Kafka does not allow in topic names replaced by '_' as Debezium does. */
final class TopicNames {

    private final String prefix;

    TopicNames(String prefix) {
        this.prefix = prefix;
    }

    String topicFor(TableId table) {
        return sanitize(prefix + "." + table.schema() + "." + table.table());
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
