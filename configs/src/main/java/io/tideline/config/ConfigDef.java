package io.tideline.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every property a program knows, in one place: typed keys, pass-through prefixes, name-pattern families and
 * cross-property rules. Loading and documentation are both driven from it.
 */
public final class ConfigDef {
    private final String namespace;
    private final Map<String, ConfigKey> keys = new LinkedHashMap<>();
    private final List<PassThrough> passThroughs = new ArrayList<>();
    private final List<KeyFamily> families = new ArrayList<>();
    private final List<ConfigRule> rules = new ArrayList<>();

    /** @param namespace the prefix this program owns (e.g. {@code tideline.}); other keys are ignored with a warning */
    public ConfigDef(String namespace) {
        this.namespace = namespace;
    }

    public ConfigDef define(ConfigKey key) {
        if (!key.name().startsWith(namespace)) {
            throw new IllegalArgumentException(key.name() + " is outside " + namespace);
        }
        if (keys.putIfAbsent(key.name(), key) != null) {
            throw new IllegalArgumentException(key.name() + " is defined twice");
        }
        return this;
    }

    public ConfigDef passThrough(String prefix, String target, String doc) {
        passThroughs.add(new PassThrough(prefix, target, doc));
        return this;
    }

    public ConfigDef family(KeyFamily family) {
        families.add(family);
        return this;
    }

    public ConfigDef rule(ConfigRule rule) {
        rules.add(rule);
        return this;
    }

    public String namespace() {
        return namespace;
    }

    public Map<String, ConfigKey> keys() {
        return Collections.unmodifiableMap(keys);
    }

    public Optional<ConfigKey> key(String name) {
        return Optional.ofNullable(keys.get(name));
    }

    public List<PassThrough> passThroughs() {
        return Collections.unmodifiableList(passThroughs);
    }

    public List<KeyFamily> families() {
        return Collections.unmodifiableList(families);
    }

    public List<ConfigRule> rules() {
        return Collections.unmodifiableList(rules);
    }

    Optional<PassThrough> passThroughOf(String key) {
        return passThroughs.stream().filter(p -> key.startsWith(p.prefix()) && key.length() > p.prefix().length())
                .findFirst();
    }

    Optional<KeyFamily> familyOf(String key) {
        return families.stream().filter(f -> f.matches(key)).findFirst();
    }
}
