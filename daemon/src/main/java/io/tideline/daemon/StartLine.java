package io.tideline.daemon;

import io.tideline.config.TidelineConfig;
import io.tideline.config.TidelineConfigDef;
import io.tideline.daemon.validate.SourceConnection;
import java.util.ArrayList;
import java.util.List;

/** The one line {@code run} logs at start: what it reads, where it writes, through which slot (never a password). */
final class StartLine {

    private StartLine() {
    }

    static String of(TidelineConfig cfg) {
        List<String> sinks = new ArrayList<>();
        if (cfg.getBoolean(TidelineConfigDef.KAFKA_ENABLED)) {
            sinks.add("kafka " + String.join(",", cfg.getList(TidelineConfigDef.KAFKA_BOOTSTRAP_SERVERS)) + " (topics "
                    + cfg.getString(TidelineConfigDef.KAFKA_TOPIC_PREFIX) + ".*)");
        }
        if (cfg.getBoolean(TidelineConfigDef.ICEBERG_ENABLED)) {
            sinks.add("iceberg " + cfg.withPrefix(TidelineConfigDef.ICEBERG_CATALOG_PREFIX).getOrDefault("type", "?")
                    + " catalog, namespace " + cfg.getString(TidelineConfigDef.ICEBERG_NAMESPACE) + " ("
                    + cfg.getString(TidelineConfigDef.ICEBERG_WRITE_MODE) + ")");
        }
        return "source " + SourceConnection.where(cfg) + " tables " + cfg.getList(TidelineConfigDef.SOURCE_TABLE_INCLUDE_LIST)
                + " slot " + cfg.getString(TidelineConfigDef.SOURCE_SLOT_NAME) + "; sinks " + (sinks.isEmpty() ? "none" : String.join(", ", sinks))
                + "; epochs of " + cfg.getDuration(TidelineConfigDef.RUNTIME_EPOCH_DURATION).toSeconds() + " s" + "; state " + cfg.getPath(TidelineConfigDef.STATE_DIR)
                + " (config " + cfg.source() + ", every key at DEBUG)";
    }
}
