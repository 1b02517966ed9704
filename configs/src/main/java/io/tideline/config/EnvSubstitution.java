package io.tideline.config;

import java.util.Map;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:default}} in a property value with the environment's value, so
 * secrets and per-host settings stay out of the file.
 */
final class EnvSubstitution {
    private final Map<String, String> env;

    EnvSubstitution(Map<String, String> env) {
        this.env = env;
    }

    /** Thrown with the variable that is unset (no default) or with a syntax problem. */
    static final class UnresolvedVariable extends Exception {
        final String variable;

        UnresolvedVariable(String variable, String message) {
            super(message, null, false, false);
            this.variable = variable;
        }
    }

    String substitute(String value) throws UnresolvedVariable {
        StringBuilder out = new StringBuilder(value.length());
        int i = 0;
        while (i < value.length()) {
            int start = value.indexOf("${", i);
            if (start < 0) {
                out.append(value, i, value.length());
                break;
            }
            out.append(value, i, start);
            int end = value.indexOf('}', start + 2);
            if (end < 0) {
                throw new UnresolvedVariable(null, "has a '${' without a closing '}'");
            }
            String expr = value.substring(start + 2, end);
            int colon = expr.indexOf(':');
            String name = colon < 0 ? expr : expr.substring(0, colon);
            if (name.isEmpty()) {
                throw new UnresolvedVariable(null, "has an empty variable name in '${" + expr + "}'");
            }
            String resolved = env.get(name);
            if (resolved == null) {
                if (colon < 0) {
                    throw new UnresolvedVariable(name, "refers to environment variable '" + name + "', which is not set");
                }
                resolved = expr.substring(colon + 1);
            }
            out.append(resolved);
            i = end + 1;
        }
        return out.toString();
    }
}
