package io.tideline.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Test helper: the paths where two JSON trees differ, including field order, for readable failure messages. */
final class JsonDiff {

    private JsonDiff() {
    }

    static List<String> diff(JsonNode expected, JsonNode actual) {
        List<String> out = new ArrayList<>();
        diff("$", expected, actual, out);
        return out;
    }

    private static void diff(String path, JsonNode e, JsonNode a, List<String> out) {
        if (e == null || a == null) {
            if (e != a) out.add(path + ": expected " + e + " but was " + a);
            return;
        }
        if (e.isObject() && a.isObject()) {
            List<String> en = names(e), an = names(a);
            if (!en.equals(an)) out.add(path + ": fields " + en + " but was " + an);
            for (String n : en) if (a.has(n)) diff(path + "." + n, e.get(n), a.get(n), out);
            return;
        }
        if (e.isArray() && a.isArray() && e.size() == a.size()) {
            for (int i = 0; i < e.size(); i++) diff(path + "[" + i + "]", e.get(i), a.get(i), out);
            return;
        }
        if (!e.equals(a)) out.add(path + ": expected " + abbreviate(e) + " but was " + abbreviate(a));
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    private static List<String> names(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) names.add(it.next());
        return names;
    }
}
