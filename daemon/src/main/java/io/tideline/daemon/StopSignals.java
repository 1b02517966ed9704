package io.tideline.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Routes SIGTERM and SIGINT to an orderly stop. Handling the signals ourselves (instead of only a shutdown hook)
 * lets {@code run} return its own exit code: 0 after a clean stop rather than the JVM's 143. A shutdown hook
 * stays as a fallback for other ways the JVM is asked to exit.
 */
final class StopSignals implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
    private static final String[] SIGNALS = {"TERM", "INT"};

    private final SignalHandler[] previous = new SignalHandler[SIGNALS.length];
    private final Thread hook;

    private StopSignals(Runnable stop) {
        for (int i = 0; i < SIGNALS.length; i++) {
            String name = SIGNALS[i];
            try {
                previous[i] = Signal.handle(new Signal(name), s -> {
                    LOG.info("Received SIG{}: stopping", name);
                    // off the signal thread, so a second signal is still delivered while we stop
                    new Thread(stop, "tideline-stop").start();
                });
            } catch (IllegalArgumentException e) {
                LOG.warn("Cannot handle SIG{} on this platform: relying on the shutdown hook.", name);
            }
        }
        hook = new Thread(stop, "tideline-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static StopSignals install(Runnable stop) {
        return new StopSignals(stop);
    }

    @Override
    public void close() {
        for (int i = 0; i < SIGNALS.length; i++) {
            if (previous[i] != null) {
                Signal.handle(new Signal(SIGNALS[i]), previous[i]);
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs (and finds the daemon stopped)
        }
    }
}
