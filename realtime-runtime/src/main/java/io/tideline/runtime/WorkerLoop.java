package io.tideline.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a stage worker's thread: open the processor, move items while there are any, tell it when they ran
 * dry and park when a pass moved nothing, report a failure to the attempt's control, always close the processor.
 * Subclasses say what one pass does and what a parked worker waits for.
 */
abstract class WorkerLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);

    protected final String name;
    protected final Processor processor;
    protected final Parker parker;
    protected final Control control;

    WorkerLoop(String name, Processor processor, Parker parker, Control control) {
        this.name = name;
        this.processor = processor;
        this.parker = parker;
        this.control = control;
    }

    String name() {
        return name;
    }

    /** One pass; true when it moved at least one item. */
    abstract boolean runOnce() throws Exception;

    /** Parks after {@code round} passes in a row moved nothing, until something worth another pass happens. */
    abstract void idle(int round);

    @Override
    public final void run() {
        parker.bindToCurrentThread();
        try {
            processor.open();
            int idle = 0;
            while (!control.aborted()) {
                if (runOnce()) {
                    idle = 0;
                } else {
                    if (idle == 0) processor.onIdle();
                    idle(idle++);
                }
            }
        } catch (AbortedException e) {
            // the attempt ends; whoever aborted it reports why
        } catch (Throwable t) {
            control.fail(name, t);
        } finally {
            try {
                processor.close();
            } catch (Throwable t) {
                LOG.warn("Cannot close stage worker {} cleanly: {}. Continuing shutdown.", name, t.toString());
            }
        }
    }
}
