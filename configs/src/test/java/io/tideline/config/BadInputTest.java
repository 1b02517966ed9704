package io.tideline.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's bad input, configuration part, table-driven from the key definitions themselves: every typed key with a
 * value of the wrong type or out of its range, unknown and misspelt keys, and empty, missing and unreadable files.
 * Each is refused with a message naming the key (or file) and the value, never accepted or half-applied.
 */
class BadInputTest {

    @TempDir
    Path dir;

    private static Map<String, String> valid() {
        return new HashMap<>(Map.of("tideline.source.database.hostname", "db", "tideline.source.database.user", "u",
                "tideline.source.database.dbname", "app", "tideline.sink.kafka.enabled", "true",
                "tideline.sink.kafka.bootstrap.servers", "k:9092"));
    }

    /** A value each type must refuse; null for types where any text is valid. */
    private static String wrongFor(ConfigType type) {
        return switch (type) {
            case INT -> "twelve";
            case PORT -> "70000";
            case BOOLEAN -> "maybe";
            case DURATION -> "5 parsecs";
            case SIZE -> "lots";
            default -> null;
        };
    }

    private static void refusedNaming(Map<String, String> props, String key, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> TidelineConfig.from(props, Map.of()),
                key + "=" + value + " must be refused");
        assertTrue(e.getMessage().contains(key), "the message names the key " + key + ": " + e.getMessage());
        boolean known = TidelineConfigDef.get().key(key).isPresent();   // an unknown key is named with a suggestion instead
        if (known && value != null && !value.isEmpty()) {
            assertTrue(e.getMessage().contains(value), "the message names the value " + value + ": " + e.getMessage());
        }
    }

    @TestFactory
    List<DynamicTest> everyTypedKeyRefusesAValueOfTheWrongTypeNamingKeyAndValue() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ConfigKey key : TidelineConfigDef.get().keys().values()) {
            String wrong = wrongFor(key.type());
            if (wrong == null) continue;
            tests.add(dynamicTest(key.name() + "=" + wrong, () -> {
                Map<String, String> props = valid();
                props.put(key.name(), wrong);
                refusedNaming(props, key.name(), wrong);
            }));
        }
        assertTrue(tests.size() >= 25, "typed keys found: " + tests.size());
        return tests;
    }

    @TestFactory
    List<DynamicTest> keysWithAClosedSetOfValuesRefuseAnyOther() {
        List<DynamicTest> tests = new ArrayList<>();
        for (ConfigKey key : TidelineConfigDef.get().keys().values()) {
            String valid = key.validValues();
            if (valid == null || !valid.contains(" | ") || key.type() == ConfigType.BOOLEAN) continue;
            tests.add(dynamicTest(key.name() + "=bogus", () -> {
                Map<String, String> props = valid();
                props.put(key.name(), "bogus");
                refusedNaming(props, key.name(), "bogus");
            }));
        }
        assertTrue(tests.size() >= 3, "keys with a closed set of values: " + tests.size());
        return tests;
    }

    @TestFactory
    List<DynamicTest> outOfRangeEmptyUnknownAndMisspeltKeysAreRefused() {
        String[][] cases = {
                {"tideline.source.database.port", "0"},
                {"tideline.source.database.port", "-1"},
                {"tideline.http.port", "65536"},
                {"tideline.runtime.epoch.duration", "0s"},
                {"tideline.runtime.epoch.duration", "-5s"},
                {"tideline.source.database.hostname", ""},
                {"tideline.sink.kafka.bootstrap.server", "k:9092"},      // misspelt: no trailing s
                {"tideline.sink.kafka.topic.prefixx", "x"},
                {"tideline.nonsense", "1"},
                {"tideline.source.snapshot.mode", "sometimes"},
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] c : cases) {
            tests.add(dynamicTest(c[0] + "=" + c[1], () -> {
                Map<String, String> props = valid();
                props.put(c[0], c[1]);
                refusedNaming(props, c[0], c[1]);
            }));
        }
        tests.add(dynamicTest("a required key missing", () -> {
            Map<String, String> props = valid();
            props.remove("tideline.source.database.dbname");
            refusedNaming(props, "tideline.source.database.dbname", null);
        }));
        tests.add(dynamicTest("no sink enabled", () -> {
            Map<String, String> props = valid();
            props.remove("tideline.sink.kafka.enabled");
            assertThrows(ConfigException.class, () -> TidelineConfig.from(props, Map.of()));
        }));
        return tests;
    }

    @TestFactory
    List<DynamicTest> emptyMissingAndUnreadableFilesAreRefusedNamingTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.properties"), "");
        Path missing = dir.resolve("missing.properties");
        Path directory = Files.createDirectories(dir.resolve("a-directory.properties"));
        Path binary = Files.write(dir.resolve("binary.properties"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : List.of(empty, missing, directory, binary)) {
            tests.add(dynamicTest(file.getFileName().toString(), () -> {
                RuntimeException e = assertThrows(RuntimeException.class, () -> TidelineConfig.load(file));
                assertTrue(e instanceof ConfigException, "a configuration error, not " + e);
                assertTrue(e.getMessage().contains(file.getFileName().toString()) || e.getMessage().contains("tideline."),
                        "names the file or what it lacks: " + e.getMessage());
            }));
        }
        return tests;
    }
}
