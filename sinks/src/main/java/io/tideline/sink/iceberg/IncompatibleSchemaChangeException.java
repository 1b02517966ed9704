package io.tideline.sink.iceberg;

/** A source column changed in a way Iceberg cannot follow (e.g. text → int); the table stops. */
public class IncompatibleSchemaChangeException extends IllegalStateException {

    private final String table;
    private final String column;

    public IncompatibleSchemaChangeException(String table, String column, String message) {
        super(message);
        this.table = table;
        this.column = column;
    }

    public String table() {
        return table;
    }

    public String column() {
        return column;
    }
}
