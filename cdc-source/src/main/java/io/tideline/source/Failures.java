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

    /**
     * What to do about a failed capture. A slot that is gone (dropped, or a restored or replaced server) cannot be
     * resumed without a gap: say how to start over instead of leaving the user to retry.
     */
    static String advice(Throwable t, String message) {
        String text = describe(t, message).toLowerCase(java.util.Locale.ROOT);
        if (text.contains("no longer available on the server")
                || (text.contains("replication slot") && (text.contains("no longer available") || text.contains("does not exist")))) {
            return ". The slot is gone, and with it the changes made since it last confirmed: resuming would leave a gap."
                    + " Start over: 'tideline drop-slot --config FILE --yes' clears the deployment's state, then 'tideline run'"
                    + " creates the slot again and snapshots every table anew (consumers see the rows as snapshot reads"
                    + " again; use new topics and tables if they must not).";
        }
        return ". Check that PostgreSQL is reachable, that wal_level=logical and that no other process uses the slot.";
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
