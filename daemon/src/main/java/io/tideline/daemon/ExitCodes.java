package io.tideline.daemon;

/** The exit codes of the tideline command (a contract checked from outside). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int RUNTIME_FAILURE = 1;
    /** Bad configuration or bad environment, including a command line picocli cannot parse. */
    public static final int BAD_CONFIGURATION = 2;

    private ExitCodes() {
    }
}
