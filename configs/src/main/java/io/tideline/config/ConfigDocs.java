package io.tideline.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Generates the markdown reference of every property from a {@link ConfigDef}. */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static String markdown() {
        return markdown(TidelineConfigDef.get());
    }

    public static String markdown(ConfigDef def) {
        StringBuilder md = new StringBuilder();
        md.append("| Property | Type | Default | Valid values | Description |\n");
        md.append("|---|---|---|---|---|\n");
        Map<String, List<ConfigKey>> byGroup = new LinkedHashMap<>();
        def.keys().values().forEach(k -> byGroup.computeIfAbsent(k.group(), g -> new java.util.ArrayList<>()).add(k));
        byGroup.forEach((group, keys) -> {
            md.append("| **").append(group).append("** | | | | |\n");
            for (ConfigKey k : keys) {
                md.append("| `").append(k.name()).append("` | ").append(k.type().docName()).append(" | ")
                        .append(cell(defaultOf(k))).append(" | ").append(cell(k.validValues())).append(" | ")
                        .append(cell(k.doc())).append(" |\n");
            }
        });
        md.append("\n**Pass-through prefixes** (the prefix is stripped, values go verbatim to the library):\n\n");
        md.append("| Prefix | Passed to | Description |\n|---|---|---|\n");
        for (PassThrough p : def.passThroughs()) {
            md.append("| `").append(p.prefix()).append("*` | ").append(p.target()).append(" | ").append(cell(p.doc()))
                    .append(" |\n");
        }
        md.append("\n**Property families** (the name is checked; the component that uses them parses the value):\n\n");
        md.append("| Name pattern | Description |\n|---|---|\n");
        for (KeyFamily f : def.families()) {
            md.append("| `").append(f.shape()).append("` | ").append(cell(f.doc())).append(" |\n");
        }
        md.append("\nValues may use `${ENV_VAR}` or `${ENV_VAR:default}`. Durations: `250ms`, `10s`, `5m`, `1h`, `1d`. "
                + "Sizes: `512`, `64KB`, `128MB`, `1GB` (binary units). Keys outside `tideline.` are ignored with "
                + "a warning; unknown `tideline.` keys are an error.\n");
        return md.toString();
    }

    private static String defaultOf(ConfigKey k) {
        String d = k.defaultDoc();
        if (k.presence() == ConfigKey.Presence.DEFAULTED && k.type() != ConfigType.PASSWORD && !k.defaultIsComputed()) {
            return d.isEmpty() ? "(empty)" : "`" + d + "`";
        }
        return d.isEmpty() ? "(empty)" : d;
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
