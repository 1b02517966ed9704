package io.tideline.api;

/**
 * The value of a TOASTed column that an UPDATE left unchanged when the table's replica identity does not
 * carry it. The source never knew the value, so a sink must keep what it already has (or leave the field as
 * the source protocol says), and never write this as if it were the value.
 */
public final class Unchanged {

    public static final Unchanged VALUE = new Unchanged();

    private Unchanged() {
    }

    @Override
    public String toString() {
        return "<unchanged>";
    }
}
