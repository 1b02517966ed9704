package io.tideline.config;

import java.util.List;

/**
 * A configuration that cannot be used. Carries every problem found in the file, not just the first, so
 * an operator fixes them in one round. Messages never contain the value of a PASSWORD property.
 */
public class ConfigException extends RuntimeException {
    private final List<ConfigProblem> problems;

    public ConfigException(String key, String message) {
        this(List.of(new ConfigProblem(key, message)));
    }

    public ConfigException(List<ConfigProblem> problems) {
        super(join(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** The property of the first problem. */
    public String key() {
        return problems.get(0).key();
    }

    public List<String> keys() {
        return problems.stream().map(ConfigProblem::key).toList();
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String join(List<ConfigProblem> problems) {
        StringBuilder sb = new StringBuilder();
        for (ConfigProblem p : problems) {
            if (sb.length() > 0) {
                sb.append(System.lineSeparator());
            }
            sb.append(p.message());
        }
        return sb.toString();
    }
}
