package io.tideline.source;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads one line of {@code COPY ... TO STDOUT} text format: tab-separated columns, {@code \N} for NULL,
 * backslash escapes for tab, newline, carriage return and backslash. What is left is each value's text output,
 * exactly what pgoutput sends for the same value.
 */
final class CopyText {

    private CopyText() {
    }

    static String[] split(String line) {
        // Most lines have no escape and no NULL: tabs found by the vectorized indexOf, no per-char loop.
        return line.indexOf('\\') < 0 ? splitPlain(line) : splitEscaped(line);
    }

    private static String[] splitPlain(String line) {
        int columns = 1;
        for (int at = line.indexOf('\t'); at >= 0; at = line.indexOf('\t', at + 1)) columns++;
        String[] out = new String[columns];
        int start = 0;
        for (int i = 0; i < columns - 1; i++) {
            int tab = line.indexOf('\t', start);
            out[i] = line.substring(start, tab);
            start = tab + 1;
        }
        out[columns - 1] = line.substring(start);
        return out;
    }

    private static String[] splitEscaped(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = null;
        int start = 0;
        int n = line.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? line.charAt(i) : '\t';
            if (c == '\t') {
                if (sb == null) {
                    String raw = line.substring(start, i);
                    out.add(raw.equals("\\N") ? null : raw);
                } else {
                    out.add(sb.toString());
                    sb = null;
                }
                start = i + 1;
            } else if (c == '\\' && i + 1 < n) {
                if (sb == null) {
                    if (line.charAt(i + 1) == 'N' && i == start && (i + 2 == n || line.charAt(i + 2) == '\t')) {
                        continue; // \N, handled as the whole field at the next tab
                    }
                    sb = new StringBuilder(line.substring(start, i));
                }
                char e = line.charAt(++i);
                switch (e) {
                    case 't' -> sb.append('\t');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'v' -> sb.append('\u000B');
                    default -> sb.append(e);
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return out.toArray(new String[0]);
    }
}
