package io.tideline.daemon.validate;

/** The outcome of one environment check: a status and one sentence (with what to do, when not ok). */
public record Check(Status status, String message) {
    public enum Status {
        OK("ok"), WARN("warn"), FAIL("FAIL");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public static Check ok(String message) {
        return new Check(Status.OK, message);
    }

    public static Check warn(String message) {
        return new Check(Status.WARN, message);
    }

    public static Check fail(String message) {
        return new Check(Status.FAIL, message);
    }

    /** The line {@code validate} prints. */
    public String line() {
        return String.format("%-4s  %s", status.label(), message);
    }
}
