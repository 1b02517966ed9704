package io.tideline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionBufferTest {

    @TempDir
    Path dir;

    private static final TransactionBuffer.Codec<String> TEXT = new TransactionBuffer.Codec<>() {
        @Override
        public byte[] encode(String change) {
            return change.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    @Test
    void wideChangesSpillOnceTheBytesInMemoryReachTheBoundAndDrainInArrivalOrder() throws Exception {
        TransactionBuffer<String> buffer = new TransactionBuffer<>(100_000, 3L << 20, String::length, dir, TEXT, UnaryOperator.identity());
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String change = i + "x".repeat(1 << 20);
            added.add(change);
            buffer.add(change);
        }
        buffer.add("small");
        added.add("small");
        assertTrue(buffer.spilled(), "six changes of 1 MB against a 3 MB bound: the rest spills although 100,000 would fit by count");
        List<String> drained = new ArrayList<>();
        buffer.drain((change, index, last) -> drained.add(change));
        assertEquals(added, drained);
        assertFalse(buffer.spilled());
    }
}
