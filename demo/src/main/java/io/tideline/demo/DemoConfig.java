package io.tideline.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes the properties file the demo's daemon runs on: an ordinary config a user can read, copy and run. */
final class DemoConfig {

    static final String TOPIC_PREFIX = "demo";
    static final String NAMESPACE = "demo";

    private DemoConfig() {
    }

    static Path write(Path dir, DemoDatabase db, String bootstrapServers) throws IOException {
        return write(dir, db, bootstrapServers, "10s");
    }

    static Path write(Path dir, DemoDatabase db, String bootstrapServers, String epoch) throws IOException {
        Path file = dir.resolve("tideline.properties");
        Files.write(file, List.of(
                "# Written by bin/tideline demo; run it yourself with bin/tideline run --config " + file,
                "tideline.source.database.hostname=" + db.host(),
                "tideline.source.database.port=" + db.port(),
                "tideline.source.database.user=" + db.user(),
                // an existing server's password stays out of the file: the daemon reads it from the environment
                "tideline.source.database.password=" + (db.password().isEmpty() ? "" : "${TIDELINE_DEMO_PG_PASSWORD}"),
                "tideline.source.database.dbname=" + db.database(),
                "tideline.source.slot.name=" + DemoDatabase.SLOT,
                "tideline.source.table.include.list=" + DemoSchema.includeList(),
                "tideline.source.heartbeat.interval=5s",
                "tideline.runtime.epoch.duration=" + epoch,
                "tideline.runtime.shutdown.timeout=15s",
                "tideline.state.dir=" + dir.resolve("state"),
                "",
                "tideline.sink.kafka.enabled=true",
                "tideline.sink.kafka.bootstrap.servers=" + bootstrapServers,
                "tideline.sink.kafka.topic.prefix=" + TOPIC_PREFIX,
                "tideline.sink.kafka.topic.partitions=3",
                "",
                "tideline.sink.iceberg.enabled=true",
                "tideline.sink.iceberg.namespace=" + NAMESPACE,
                "tideline.sink.iceberg.trigger.interval=5s",
                "tideline.sink.iceberg.catalog.type=hadoop",
                "tideline.sink.iceberg.catalog.warehouse=" + dir.resolve("iceberg"),
                "",
                "tideline.http.host=127.0.0.1",
                "tideline.http.port=0"));
        return file;
    }

    static String topic(String table) {
        return TOPIC_PREFIX + "." + DemoSchema.SCHEMA + "." + table;
    }

    static String icebergTable(String table) {
        return DemoSchema.SCHEMA + "_" + table;
    }
}
