package io.tideline.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How a worker waits without burning the two cores a small machine has: spin briefly, yield, then park. A
 * thread that parks announces it, so the thread that makes it ready can unpark it at once instead of letting it
 * sleep out its timeout: an idle pipeline costs no CPU and still hands a record on in microseconds.
 */
final class Parker {

    private static final int SPINS = 64;
    private static final int YIELDS = 8;
    private static final long MAX_PARK_NANOS = 1_000_000;

    private volatile Thread owner;
    private final AtomicBoolean parked = new AtomicBoolean();

    /** Binds this parker to the calling thread; the thread that will wait on it. */
    void bindToCurrentThread() {
        owner = Thread.currentThread();
    }

    /** Called by a producer or consumer after it changed what the owner waits for. */
    void wake() {
        // The first waker clears the flag: a producer handing on a burst would otherwise unpark (a system call) once
        // per item while the owner is still waking up, since the owner clears the flag only once it runs again.
        if (parked.get() && parked.compareAndSet(true, false)) {
            Thread t = owner;
            if (t != null) LockSupport.unpark(t);
        }
    }

    /**
     * Waits until {@code ready} holds or {@code abort} holds; returns false when aborted. {@code ready} is
     * re-checked after announcing the park, so a wake between the check and the park is never lost.
     */
    boolean await(BooleanSupplier ready, BooleanSupplier abort) {
        int idle = 0;
        while (!ready.getAsBoolean()) {
            if (abort.getAsBoolean()) return false;
            idle(idle++, ready);
        }
        return true;
    }

    /** One step of backing off: spin, then yield, then park (with the announce/recheck handshake). */
    void idle(int round, BooleanSupplier ready) {
        if (round < SPINS) {
            Thread.onSpinWait();
        } else if (round < SPINS + YIELDS) {
            Thread.yield();
        } else {
            parked.set(true);
            try {
                if (!ready.getAsBoolean()) LockSupport.parkNanos(this, MAX_PARK_NANOS);
            } finally {
                parked.set(false);
            }
        }
    }
}
