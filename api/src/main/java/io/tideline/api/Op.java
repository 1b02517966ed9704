package io.tideline.api;

/** What a change did, with Debezium's one-letter codes. */
public enum Op {
    /** A row read by the initial snapshot. */
    READ("r"),
    CREATE("c"),
    UPDATE("u"),
    DELETE("d"),
    TRUNCATE("t");

    private final String code;

    Op(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    public static Op ofCode(String code) {
        for (Op op : values()) {
            if (op.code.equals(code)) return op;
        }
        throw new IllegalArgumentException("Cannot read operation '" + code + "': expected one of r, c, u, d, t.");
    }
}
