package io.tideline.daemon.validate;

import static io.tideline.config.TidelineConfigDef.ICEBERG_ENABLED;
import static io.tideline.config.TidelineConfigDef.KAFKA_ENABLED;

import io.tideline.config.TidelineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Checks the world a configuration describes: PostgreSQL, and Kafka and Iceberg when enabled. */
public final class EnvironmentValidator {
    private final TidelineConfig cfg;

    public EnvironmentValidator(TidelineConfig cfg) {
        this.cfg = cfg;
    }

    /** Runs every check, reporting each as soon as it is known; returns them all. */
    public List<Check> run(Consumer<Check> report) {
        List<Check> all = new ArrayList<>();
        Consumer<Check> add = c -> {
            all.add(c);
            report.accept(c);
        };
        new PostgresChecks(cfg).run().forEach(add);
        if (cfg.getBoolean(KAFKA_ENABLED)) {
            add.accept(new KafkaCheck(cfg).run());
        }
        if (cfg.getBoolean(ICEBERG_ENABLED)) {
            add.accept(new IcebergCheck(cfg).run());
        }
        return all;
    }
}
