package io.tideline.config;

import java.util.List;
import java.util.Map;

/** A check across several properties (e.g. "at least one sink enabled"), run after every value parsed. */
@FunctionalInterface
public interface ConfigRule {
    /**
     * @param values   parsed values of every defined key that has one, keyed by property name
     * @param raw      the raw values of every property in the file (after variable substitution)
     * @param source   where the configuration came from, for "Fix it in ..." hints
     * @param problems where to add what is wrong
     */
    void check(Map<String, Object> values, Map<String, String> raw, String source, List<ConfigProblem> problems);
}
