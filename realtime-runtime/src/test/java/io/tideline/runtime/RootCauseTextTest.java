package io.tideline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class RootCauseTextTest {

    @Test
    void aWrappedCauseIsNamedWhenTheOuterTextHidesIt() {
        RuntimeException e = new RuntimeException("Failed to create Parquet file",
                new IllegalStateException("write failed", new IOException("Read-only file system")));
        assertEquals("Failed to create Parquet file (caused by java.io.IOException: Read-only file system)",
                EpochRuntime.withRootCause(e.getMessage(), e));
    }

    @Test
    void aCauseAlreadyInTheTextIsNotRepeated() {
        RuntimeException e = new RuntimeException("Cannot write x: No space left on device", new IOException("No space left on device"));
        assertEquals(e.getMessage(), EpochRuntime.withRootCause(e.getMessage(), e));
        RuntimeException alone = new RuntimeException("alone");
        assertEquals("alone", EpochRuntime.withRootCause("alone", alone));
    }
}
