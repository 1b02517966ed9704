package io.tideline.daemon;

/** The live replication pipeline, as the daemon sees it. */
public interface Pipeline {
    /** Runs until {@link #stop()} is called (then returns normally) or the pipeline fails (then throws). */
    void run() throws Exception;

    /** Asks {@link #run()} to finish; may be called from any thread, more than once. */
    void stop();

    /** Why the pipeline, though running, is not ready yet (e.g. a snapshot in progress); empty when ready. */
    default java.util.List<String> notReadyReasons() {
        return java.util.List.of();
    }
}
