package io.tideline.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A family of properties whose names follow a pattern, e.g. {@code tideline.transforms.<schema>.<table>.filter}.
 * The loader checks the name's shape; the component that uses them parses the values.
 *
 * @param prefix   common prefix of the family, e.g. {@code tideline.transforms.}
 * @param pattern  full-name pattern
 * @param shape    the name pattern as the documentation shows it
 * @param suffixes the allowed endings, used to suggest a fix for a misspelt name
 * @param wildcardSegments number of free name segments between prefix and suffix
 */
public record KeyFamily(String prefix, Pattern pattern, String shape, List<String> suffixes, int wildcardSegments,
        String doc) {
    public boolean matches(String key) {
        return pattern.matcher(key).matches();
    }
}
