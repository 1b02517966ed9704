package io.tideline.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded, validated Tideline configuration with typed accessors. Construct with {@link #load(Path)} or
 * {@link #from(Map, Map)}; both throw {@link ConfigException} listing every problem found.
 */
public final class TidelineConfig {
    private static final Logger LOG = LoggerFactory.getLogger(TidelineConfig.class);

    private final ConfigDef def;
    private final String source;
    private final Map<String, Object> values;
    private final Map<String, String> raw;
    private final List<String> warnings;

    private TidelineConfig(ConfigDef def, String source, ConfigLoader.Loaded loaded) {
        this.def = def;
        this.source = source;
        this.values = Collections.unmodifiableMap(loaded.values());
        this.raw = Collections.unmodifiableMap(loaded.raw());
        this.warnings = List.copyOf(loaded.warnings());
        warnings.forEach(LOG::warn);
    }

    /** Loads a .properties file, substituting variables from the process environment. */
    public static TidelineConfig load(Path file) {
        return load(file, System.getenv());
    }

    public static TidelineConfig load(Path file, Map<String, String> env) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config", "Cannot load configuration: file '" + file
                    + "' does not exist. Pass an existing .properties file with --config.");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("--config", "Cannot load configuration: file '" + file + "' cannot be read ("
                    + e.getMessage() + "). Check that it is a readable .properties file.");
        }
        Map<String, String> map = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
        return from(map, env, file.toString());
    }

    public static TidelineConfig from(Map<String, String> properties, Map<String, String> env) {
        return from(properties, env, "the configuration");
    }

    /** @param source names where the properties came from, for "Fix it in ..." hints */
    public static TidelineConfig from(Map<String, String> properties, Map<String, String> env, String source) {
        ConfigDef def = TidelineConfigDef.get();
        return new TidelineConfig(def, source, new ConfigLoader(def).load(properties, env, source));
    }

    /** Where the configuration came from (the file path, usually). */
    public String source() {
        return source;
    }

    /** Warnings raised while loading (e.g. ignored non-tideline keys), already logged. */
    public List<String> warnings() {
        return warnings;
    }

    /** Whether the property has a value, either from the file or a default. */
    public boolean isSet(String key) {
        return values.containsKey(key);
    }

    /** A STRING or ENUM value; a LIST comes back joined with commas (e.g. bootstrap servers), null when unset. */
    public String getString(String key) {
        Object v = typed(key, ConfigType.STRING, ConfigType.ENUM, ConfigType.LIST);
        if (v instanceof List<?> list) {
            return String.join(",", list.stream().map(Object::toString).toList());
        }
        return (String) v;
    }

    public int getInt(String key) {
        return (Integer) typed(key, ConfigType.INT, ConfigType.PORT);
    }

    public boolean getBoolean(String key) {
        return (Boolean) typed(key, ConfigType.BOOLEAN);
    }

    public Duration getDuration(String key) {
        return (Duration) typed(key, ConfigType.DURATION);
    }

    @SuppressWarnings("unchecked")
    public List<String> getList(String key) {
        Object v = typed(key, ConfigType.LIST);
        return v == null ? List.of() : (List<String>) v;
    }

    public Password getPassword(String key) {
        return (Password) typed(key, ConfigType.PASSWORD);
    }

    public Path getPath(String key) {
        return (Path) typed(key, ConfigType.PATH);
    }

    /** A SIZE property in bytes. */
    public long getSize(String key) {
        return (Long) typed(key, ConfigType.SIZE);
    }

    /**
     * Properties under a prefix with the prefix stripped, values verbatim (after variable substitution),
     * e.g. {@code withPrefix("tideline.sink.kafka.producer.")} gives KafkaProducer settings.
     */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(prefix) && k.length() > prefix.length()) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** Every tideline.* property with its effective value (file or default), secrets shown as [hidden]. For logs. */
    public Map<String, String> originals() {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, display(k, v)));
        raw.forEach((k, v) -> {
            if (k.startsWith(def.namespace()) && !values.containsKey(k)) {
                out.put(k, Sensitive.isSensitive(def, k) ? Password.HIDDEN : v);
            }
        });
        return out;
    }

    private String display(String key, Object value) {
        if (Sensitive.isSensitive(def, key) || value instanceof Password) {
            return Password.HIDDEN;
        }
        if (value instanceof List<?> list) {
            return String.join(",", list.stream().map(Object::toString).toList());
        }
        if (value instanceof Duration d) {
            return raw.getOrDefault(key, def.key(key).map(ConfigKey::defaultValue).orElse(d.toString()));
        }
        return String.valueOf(value);
    }

    private Object typed(String key, ConfigType... expected) {
        ConfigKey k = def.key(key).orElseThrow(() -> new IllegalArgumentException(
                "Cannot read property '" + key + "': it is not defined in TidelineConfigDef. Define it there first."));
        for (ConfigType t : expected) {
            if (k.type() == t) {
                return values.get(key);
            }
        }
        throw new IllegalArgumentException("Cannot read property '" + key + "' as " + expected[0].docName()
                + ": it is a " + k.type().docName() + ". Use the matching accessor.");
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(originals());
        return "TidelineConfig" + shown;
    }
}
