package io.tideline.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TidelineOffsetBackingStoreTest {

    @TempDir
    Path dir;

    private static ByteBuffer b(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void offsetsSurviveAWriteReadRoundTripWithoutLeavingTheTempFile() throws IOException {
        Path file = dir.resolve("source-offsets.dat");
        Map<ByteBuffer, ByteBuffer> data = new HashMap<>();
        data.put(b("[\"tideline\",{\"server\":\"tideline\"}]"), b("{\"lsn_commit\":123}"));
        data.put(b("other"), null);
        TidelineOffsetBackingStore.write(file, data);
        assertEquals(data, TidelineOffsetBackingStore.read(file));
        assertFalse(Files.exists(dir.resolve("source-offsets.dat.tmp")));
    }

    @Test
    void missingFileMeansNoOffsets() throws IOException {
        assertTrue(TidelineOffsetBackingStore.read(dir.resolve("absent")).isEmpty());
    }

    @Test
    void damagedFileIsRejectedNotSilentlyReset() throws IOException {
        Path file = dir.resolve("source-offsets.dat");
        TidelineOffsetBackingStore.write(file, Map.of(b("k"), b("{\"lsn_commit\":1}")));
        byte[] content = Files.readAllBytes(file);
        content[10] ^= 0x7f;
        Files.write(file, content);
        IOException e = assertThrows(IOException.class, () -> TidelineOffsetBackingStore.read(file));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void ackFileKeepsTheLastAcknowledgedPosition() throws IOException {
        AckFile ack = new AckFile(dir.resolve("source-ack.position"));
        assertEquals(null, ack.read());
        ack.write(new io.tideline.api.Position(42, 3));
        assertEquals(new io.tideline.api.Position(42, 3), new AckFile(dir.resolve("source-ack.position")).read());
    }
}
