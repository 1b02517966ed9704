package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tideline.config.ConfigException;
import io.tideline.config.TidelineConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {

    private final PrintStream originalErr = System.err;

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        Logging.configure(config(Map.of()));
    }

    private static TidelineConfig config(Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(Map.of("tideline.source.database.hostname", "h",
                "tideline.source.database.user", "u", "tideline.source.database.dbname", "d",
                "tideline.sink.kafka.enabled", "true", "tideline.sink.kafka.bootstrap.servers", "k:9092"));
        p.putAll(extra);
        return TidelineConfig.from(p, Map.of());
    }

    private static List<String> logged(Map<String, String> settings, Runnable log) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Logging.configure(config(settings));
        log.run();
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void jsonFormatWritesOneParsableObjectPerEventWithTheFormattedMessage() throws Exception {
        List<String> lines = logged(Map.of("tideline.log.format", "json"), () -> {
            LoggerFactory.getLogger("io.tideline.test").info("epoch {} committed", 7);
            LoggerFactory.getLogger("io.tideline.test").warn("with a cause", new IllegalStateException("boom\nsecond line"));
        });
        assertEquals(2, lines.size(), String.join("\n", lines));
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("INFO", first.path("level").asText());
        assertEquals("io.tideline.test", first.path("loggerName").asText());
        assertEquals("epoch 7 committed", first.path("formattedMessage").asText());
        JsonNode second = new ObjectMapper().readTree(lines.get(1));
        assertTrue(second.path("throwable").toString().contains("boom"), lines.get(1));
    }

    @Test
    void levelsComeFromThePropertiesFileRootAndPerLogger() {
        List<String> lines = logged(Map.of("tideline.log.level", "WARN", "tideline.log.level.io.tideline.chatty", "DEBUG"), () -> {
            LoggerFactory.getLogger("io.tideline.quiet").info("hidden: root is WARN");
            LoggerFactory.getLogger("io.tideline.chatty.child").debug("shown: its parent is at DEBUG");
            LoggerFactory.getLogger("org.apache.iceberg.SnapshotProducer").info("hidden: Iceberg starts at WARN");
        });
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("[DEBUG] io.tideline.chatty.child - shown: its parent is at DEBUG"), lines.get(0));
    }

    @Test
    void aLevelThatIsNoLevelIsRefusedNamingItsKey() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Logging.configure(config(Map.of("tideline.log.level.org.apache.kafka", "LOUD"))));
        assertTrue(e.getMessage().contains("tideline.log.level.org.apache.kafka"), e.getMessage());
        assertFalse(e.getMessage().contains("password"));
    }
}
