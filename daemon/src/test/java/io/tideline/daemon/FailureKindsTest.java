package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tideline.api.TableId;
import io.tideline.runtime.FailureKind;
import io.tideline.sink.NameClaims;
import io.tideline.sink.iceberg.ValueConversionException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class FailureKindsTest {

    @Test
    void aValueAnIcebergColumnCannotHoldStopsAtOnceEvenWrapped() {
        RuntimeException wrapped = new IllegalStateException("Cannot commit micro-batch",
                new ValueConversionException("Cannot convert column 'v' of public.t", new IllegalArgumentException("bad")));
        assertEquals(FailureKind.PERMANENT, FailureKinds.of(wrapped));
    }

    @Test
    void twoTablesClaimingOneSinkNameStopAtOnce() {
        NameClaims claims = new NameClaims("Kafka topic");
        claims.claim("p.public.a_b", new TableId("public", "a b"));
        RuntimeException clash = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> claims.claim("p.public.a_b", new TableId("public", "a_b")));
        assertEquals(FailureKind.PERMANENT, FailureKinds.of(new IllegalStateException("epoch failed", clash)));
    }

    @Test
    void aFullOrReadOnlyDiskIsWaitedOut() {
        assertEquals(FailureKind.TRANSIENT, FailureKinds.of(new IllegalStateException("Cannot write snapshot state",
                new java.io.IOException("No space left on device"))));
        assertEquals(FailureKind.TRANSIENT, FailureKinds.of(new RuntimeException("Failed to create Parquet file",
                new java.nio.file.FileSystemException("/w/t/data/x.parquet: Read-only file system"))));
    }

    @Test
    void aRefusedConnectionIsWaitedOutAndAnUnknownFailureCounts() {
        assertEquals(FailureKind.TRANSIENT, FailureKinds.of(new IllegalStateException("x", new ConnectException("Connection refused"))));
        assertEquals(FailureKind.UNKNOWN, FailureKinds.of(new IllegalStateException("something else")));
    }
}
