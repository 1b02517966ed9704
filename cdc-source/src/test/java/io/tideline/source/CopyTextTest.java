package io.tideline.source;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class CopyTextTest {

    @Test
    void aLineWithoutEscapesSplitsOnEveryTabKeepingEmptyColumns() {
        assertArrayEquals(new String[] {"7", "abc", "", "x y"}, CopyText.split("7\tabc\t\tx y"));
        assertArrayEquals(new String[] {"1", ""}, CopyText.split("1\t"));
        assertArrayEquals(new String[] {"", "2"}, CopyText.split("\t2"));
        assertArrayEquals(new String[] {"only"}, CopyText.split("only"));
        assertArrayEquals(new String[] {""}, CopyText.split(""));
    }

    @Test
    void nullsAndEscapesAreDecodedAsPostgresWroteThem() {
        assertArrayEquals(new String[] {"1", null, "a\tb", "c\\d", "e\nf"},
                CopyText.split("1\t\\N\ta\\tb\tc\\\\d\te\\nf"));
        assertArrayEquals(new String[] {null}, CopyText.split("\\N"));
        assertArrayEquals(new String[] {"\\N"}, CopyText.split("\\\\N"), "an escaped backslash before N is text");
        assertArrayEquals(new String[] {"x", null}, CopyText.split("x\t\\N"));
    }
}
