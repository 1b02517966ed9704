package io.tideline.config;

import java.util.regex.Pattern;

/**
 * Decides which values must never be shown. PASSWORD keys are known; pass-through keys are judged by name,
 * because a catalog or producer setting such as {@code jdbc.password} or {@code sasl.jaas.config} is a secret too.
 */
final class Sensitive {
    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(password|passwd|secret|token|credential|jaas|private[._-]?key|access[._-]?key|salt).*");

    private Sensitive() {
    }

    static boolean isSensitive(ConfigDef def, String key) {
        return def.key(key).map(k -> k.type() == ConfigType.PASSWORD).orElse(false) || SECRET_NAME.matcher(key).matches();
    }
}
