package io.tideline.sink.kafka;

import io.tideline.api.Position;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class KafkaHeadersTest {

    @Test
    void thePositionHeaderSpellsThePositionExactlyAsItsText() {
        List<Position> positions = new ArrayList<>(List.of(new Position(0, 0), new Position(9, 10), new Position(10, 99),
                new Position(100, 1L << 32), new Position(23456789, (1L << 32) + 8191),
                new Position(Long.MAX_VALUE, Long.MAX_VALUE), new Position(-1L, 3), new Position(Long.MIN_VALUE, 0)));
        Random r = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            positions.add(new Position(r.nextLong() >>> r.nextInt(64), r.nextLong() >>> (1 + r.nextInt(63))));
        }
        for (Position p : positions) {
            assertEquals(p.toString(), new String(KafkaHeaders.positionBytes(p), StandardCharsets.UTF_8));
            assertEquals(p, Position.parse(new String(KafkaHeaders.positionBytes(p), StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aRecordBufferGrowsPastItsCapacityAndHandsOutExactlyWhatWasWrittenSinceReset() {
        RecordBuffer b = new RecordBuffer(4);
        b.write("stale".getBytes(StandardCharsets.UTF_8), 0, 5);
        b.reset();
        byte[] big = new byte[10_000];
        new Random(7).nextBytes(big);
        b.write('{');
        b.write(big, 1, big.length - 1);
        byte[] out = b.toByteArray();
        assertEquals(10_000, out.length);
        assertEquals('{', out[0]);
        for (int i = 1; i < big.length; i++) assertEquals(big[i], out[i], "byte " + i);
    }
}
