package io.tideline.source;

/** Error text for users: a failure's messages along its cause chain, each once, without trailing periods. */
final class Failures {

    private Failures() {
    }

    static String describe(Throwable t, String message) {
        StringBuilder sb = new StringBuilder(message == null ? "" : message);
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && !sb.toString().contains(m)) {
                if (sb.length() > 0) sb.append(": ");
                sb.append(m);
            }
            if (c.getCause() == c) break;
        }
        String text = sb.toString().strip();
        while (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        return text.isEmpty() ? "unknown error" : text;
    }
}
