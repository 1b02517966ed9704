package io.tideline.daemon.wiring;

import io.tideline.api.ChangeSource;
import io.tideline.api.Sink;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Small pieces the daemon's wiring needs: pause-point decoration and quiet closing. */
public final class Wiring {

    private static final Logger LOG = LoggerFactory.getLogger(Wiring.class);

    private Wiring() {
    }

    public static Sink pausing(Sink sink, PausePoints points) {
        return points == null ? sink : new PausingSink(sink, points);
    }

    public static ChangeSource pausing(ChangeSource source, PausePoints points) {
        return points == null ? source : new PausingSource(source, points);
    }

    public static void closeQuietly(List<? extends AutoCloseable> closeables) {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", c, e.toString());
            }
        }
    }
}
