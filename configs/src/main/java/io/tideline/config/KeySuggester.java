package io.tideline.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Finds the known property a misspelt one most likely meant, by Levenshtein distance. */
final class KeySuggester {
    private final ConfigDef def;

    KeySuggester(ConfigDef def) {
        this.def = def;
    }

    Optional<String> suggest(String unknown) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates(unknown)) {
            int d = distance(unknown, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int tolerance = Math.max(2, unknown.length() / 6);
        return bestDistance <= tolerance ? Optional.of(best) : Optional.empty();
    }

    /**
     * Known keys, plus what the unknown key would be under each pass-through prefix and family, so that
     * {@code tideline.sink.kafka.produce.acks} suggests {@code tideline.sink.kafka.producer.acks}.
     */
    private List<String> candidates(String unknown) {
        List<String> out = new ArrayList<>(def.keys().keySet());
        String[] segments = unknown.split("\\.", -1);
        for (PassThrough p : def.passThroughs()) {
            int n = p.prefix().split("\\.").length;
            if (segments.length > n) {
                out.add(p.prefix() + String.join(".", Arrays.copyOfRange(segments, n, segments.length)));
            }
        }
        for (KeyFamily f : def.families()) {
            int n = f.prefix().split("\\.").length + f.wildcardSegments();
            if (segments.length > n) {
                String head = String.join(".", Arrays.copyOfRange(segments, 0, n));
                for (String suffix : f.suffixes()) {
                    out.add(head + "." + suffix);
                }
            }
        }
        return out;
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
