package io.tideline.source;

/** Failures of the engine: error text for users (a cause chain's messages, each once) and a stop that waits. */
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

    /** Closes the engine, waiting (up to 60 s) while it refuses because its tasks are still starting. */
    static void closeEngine(io.debezium.engine.DebeziumEngine<?> engine, String slot) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                engine.close();
                return;
            } catch (IllegalStateException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("already") || System.nanoTime() > deadline) return;
                // The engine refuses to stop while its tasks start; they start within seconds.
                Thread.sleep(50);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("Cannot stop the Debezium engine of slot '" + slot + "': " + e.getMessage()
                        + ". The process may have to exit to release the slot.", e);
            }
        }
    }
}
