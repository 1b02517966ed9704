package io.tideline.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns raw properties into parsed values against a {@link ConfigDef}, collecting every problem before failing.
 */
final class ConfigLoader {
    private final ConfigDef def;

    ConfigLoader(ConfigDef def) {
        this.def = def;
    }

    record Loaded(Map<String, Object> values, Map<String, String> raw, List<String> warnings) {
    }

    Loaded load(Map<String, String> input, Map<String, String> env, String source) {
        List<ConfigProblem> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, String> raw = substitute(new TreeMap<>(input), env, source, problems);
        Map<String, Object> values = new LinkedHashMap<>();
        KeySuggester suggester = new KeySuggester(def);

        for (Map.Entry<String, String> e : raw.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(def.namespace())) {
                warnings.add("Ignoring property '" + key + "' in " + source + ": it does not start with '"
                        + def.namespace() + "'. Remove it to silence this warning.");
                continue;
            }
            ConfigKey known = def.keys().get(key);
            if (known != null) {
                parseInto(known, e.getValue(), source, values, problems);
            } else if (def.passThroughOf(key).isEmpty() && def.familyOf(key).isEmpty()) {
                problems.add(new ConfigProblem(key, unknownMessage(key, suggester, source)));
            }
        }
        for (ConfigKey key : def.keys().values()) {
            if (raw.containsKey(key.name())) {
                continue;
            }
            switch (key.presence()) {
                case REQUIRED -> problems.add(new ConfigProblem(key.name(), "Cannot load configuration: property '"
                        + key.name() + "' is required but not set (" + firstSentence(key.doc()) + "). Add it to "
                        + source + "."));
                case DEFAULTED -> parseInto(key, key.defaultValue(), "the built-in defaults", values, problems);
                case OPTIONAL -> { }
            }
        }
        // Rules see only the values that parsed, so one bad value does not hide an unrelated rule's problem.
        for (ConfigRule rule : def.rules()) {
            rule.check(values, raw, source, problems);
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Loaded(values, raw, warnings);
    }

    private Map<String, String> substitute(Map<String, String> input, Map<String, String> env, String source,
            List<ConfigProblem> problems) {
        EnvSubstitution substitution = new EnvSubstitution(env);
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : input.entrySet()) {
            try {
                out.put(e.getKey(), substitution.substitute(e.getValue()));
            } catch (EnvSubstitution.UnresolvedVariable u) {
                String fix = u.variable == null ? "Fix it in " + source + "."
                        : "Set the variable, or give a default as ${" + u.variable + ":default} in " + source + ".";
                problems.add(new ConfigProblem(e.getKey(),
                        "Cannot load configuration: property '" + e.getKey() + "' " + u.getMessage() + ". " + fix));
            }
        }
        return out;
    }

    private void parseInto(ConfigKey key, String rawValue, String source, Map<String, Object> values,
            List<ConfigProblem> problems) {
        try {
            values.put(key.name(), key.parse(rawValue));
        } catch (InvalidValueException e) {
            String shown = Sensitive.isSensitive(def, key.name()) ? "a value" : "value '" + rawValue + "'";
            problems.add(new ConfigProblem(key.name(), "Cannot load configuration: property '" + key.name()
                    + "' has " + shown + ", " + e.why() + ". Fix it in " + source + "."));
        }
    }

    private String unknownMessage(String key, KeySuggester suggester, String source) {
        String hint = suggester.suggest(key).map(s -> " Did you mean '" + s + "'?")
                .orElse(" Run 'tideline config-docs' to list the known properties.");
        String family = def.families().stream().filter(f -> key.startsWith(f.prefix())).findFirst()
                .map(f -> " Names under " + f.prefix() + " have the form " + f.shape() + ".").orElse("");
        return "Cannot load configuration: property '" + key + "' is not a known property." + hint + family
                + " Fix it in " + source + ".";
    }

    private static String firstSentence(String doc) {
        int dot = doc.indexOf(". ");
        String s = dot < 0 ? doc : doc.substring(0, dot);
        s = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
