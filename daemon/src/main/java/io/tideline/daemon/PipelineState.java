package io.tideline.daemon;

/** Lifecycle of the pipeline as reported on GET /health. */
public enum PipelineState {
    STARTING, RUNNING, STOPPING, STOPPED, FAILED;

    /** Whether GET /health answers 200. */
    public boolean healthy() {
        return this == STARTING || this == RUNNING || this == STOPPING;
    }
}
