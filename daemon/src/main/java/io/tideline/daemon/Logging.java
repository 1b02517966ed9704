package io.tideline.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.tideline.config.ConfigException;
import io.tideline.config.TidelineConfig;
import io.tideline.config.TidelineConfigDef;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * The daemon's logging, set from the properties file: text or JSON lines (one per event) on stderr, the root level
 * and a level per logger. Libraries that log every commit or client start at INFO (Iceberg, Kafka clients, Hadoop)
 * start at WARN; {@code tideline.log.level.<logger>} brings them back.
 */
public final class Logging {

    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} [%thread] [%level] %logger - %msg%n";

    /** Where each library starts; the properties file overrides any of them. */
    static final Map<String, String> DEFAULT_LEVELS = defaults();

    private Logging() {
    }

    private static Map<String, String> defaults() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("org.apache.kafka", "WARN");
        m.put("org.apache.kafka.clients.NetworkClient", "ERROR");
        m.put("org.apache.iceberg", "WARN");
        m.put("org.apache.hadoop", "WARN");
        m.put("org.apache.parquet", "WARN");
        m.put("org.postgresql", "WARN");
        m.put("io.debezium", "INFO");
        m.put("io.debezium.config", "WARN");
        m.put("io.debezium.embedded", "WARN");
        // Debezium's lag-statistics collector warns for every change while a bulk load outruns it; it loses a
        // statistic, never a change.
        m.put("io.debezium.metrics.stats.MeasurementCollector", "ERROR");
        return m;
    }

    /** Applies {@code tideline.log.*} of the configuration; a level that is not one names its key. */
    public static void configure(TidelineConfig cfg) {
        Map<String, String> levels = new LinkedHashMap<>(DEFAULT_LEVELS);
        cfg.withPrefix(TidelineConfigDef.LOG_LEVEL_PREFIX).forEach((logger, level) -> {
            if (Level.toLevel(level.trim(), null) == null) {
                throw new ConfigException(TidelineConfigDef.LOG_LEVEL_PREFIX + logger,
                        "Invalid value '" + level + "' for " + TidelineConfigDef.LOG_LEVEL_PREFIX + logger
                                + ": not a level. Use TRACE, DEBUG, INFO, WARN, ERROR or OFF.");
            }
            levels.put(logger, level.trim().toUpperCase(Locale.ROOT));
        });
        apply(cfg.getString(TidelineConfigDef.LOG_FORMAT), cfg.getString(TidelineConfigDef.LOG_LEVEL), levels, null);
    }

    /** For commands that print a report (status, verify, ...): only warnings, client chatter only when it is an error. */
    static void quiet() {
        Map<String, String> levels = new LinkedHashMap<>(DEFAULT_LEVELS);
        levels.put("org.apache.kafka", "ERROR");
        levels.put("org.apache.iceberg", "ERROR");
        apply("text", "WARN", levels, null);
    }

    /** Text lines into {@code file} instead of stderr (the demo, whose terminal gets a status line). */
    public static void toFile(Path file) {
        apply("text", "INFO", DEFAULT_LEVELS, file);
    }

    private static void apply(String format, String rootLevel, Map<String, String> levels, Path file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;   // another slf4j backend (a test class path): leave it as it is
        }
        ctx.reset();
        Encoder<ILoggingEvent> encoder;
        if ("json".equals(format)) {
            JsonEncoder json = new JsonEncoder();
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            json.setWithArguments(false);
            json.setWithMessage(false);
            json.setWithFormattedMessage(true);
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(PATTERN);
            encoder = text;
        }
        encoder.setContext(ctx);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender;
        if (file == null) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.err");
            appender = console;
        } else {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(file.toString());
            appender = f;
        }
        appender.setContext(ctx);
        appender.setName(file == null ? "stderr" : "file");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(rootLevel, Level.INFO));
        root.addAppender(appender);
        levels.forEach((logger, level) -> ctx.getLogger(logger).setLevel(Level.toLevel(level, Level.INFO)));
    }
}
