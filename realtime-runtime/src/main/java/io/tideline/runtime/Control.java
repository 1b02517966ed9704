package io.tideline.runtime;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The life of one pipeline attempt: every worker polls {@link #aborted()}; the first failure wins. */
final class Control {

    enum Outcome { COMPLETED, STOPPED, FAILED }

    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean aborted;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private volatile String failedStage;
    private volatile long drainEpoch = Long.MAX_VALUE;
    private volatile boolean committedAny;
    private volatile boolean committedEpoch;
    private long lastCommittedEpoch = Long.MIN_VALUE;

    boolean aborted() {
        return aborted;
    }

    synchronized void fail(String stage, Throwable cause) {
        if (failure == null && !aborted) {
            failure = cause;
            failedStage = stage;
        }
        aborted = true;
        done.countDown();
    }

    void stop() {
        stopped = true;
        aborted = true;
        done.countDown();
    }

    /** Ends the attempt without changing how it ended (tear-down). */
    void abort() {
        aborted = true;
        done.countDown();
    }

    /** The source ended; the attempt completes when epoch {@code epoch} (its last) has committed. */
    synchronized void drainUntil(long epoch) {
        drainEpoch = epoch;
        if (lastCommittedEpoch >= epoch) complete();
    }

    /** The source ended inside a transaction: nothing more can commit. */
    void complete() {
        aborted = true;
        done.countDown();
    }

    synchronized void epochCommitted(long epoch, boolean changedPosition) {
        if (changedPosition) committedAny = true;
        committedEpoch = true;
        lastCommittedEpoch = Math.max(lastCommittedEpoch, epoch);
        if (epoch >= drainEpoch) complete();
    }

    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }

    void await() throws InterruptedException {
        done.await();
    }

    Outcome outcome() {
        if (failure != null) return Outcome.FAILED;
        return stopped ? Outcome.STOPPED : Outcome.COMPLETED;
    }

    Throwable failure() {
        return failure;
    }

    String failedStage() {
        return failedStage;
    }

    boolean committedAny() {
        return committedAny;
    }

    /** True once this attempt committed an epoch, even one that moved no position (an idle stream). */
    boolean committedEpoch() {
        return committedEpoch;
    }
}
