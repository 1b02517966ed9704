package io.tideline.bench.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RowJsonTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsIdAndScheduledTimeFromTheAfterImageOfADebeziumEnvelopeWithSchema() {
        String value = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"fields\":["
                + "{\"type\":\"int64\",\"optional\":false,\"field\":\"id\"},"
                + "{\"type\":\"int64\",\"optional\":false,\"field\":\"sched_us\"}],\"field\":\"before\"}]},"
                + "\"payload\":{\"before\":{\"id\":1,\"sched_us\":2,\"payload\":\"x\"},"
                + "\"after\":{\"id\":7,\"sched_us\":1795465975764018,\"payload\":\"p\"},"
                + "\"source\":{\"connector\":\"postgresql\",\"txId\":99,\"lsn\":123},\"op\":\"u\",\"ts_ms\":2}}";
        assertArrayEquals(new long[] {7, 1795465975764018L}, RowJson.parse(utf8(value)));
    }

    @Test
    void readsTheFloorsFlatObject() {
        byte[] value = FloorPath.json(new String[] {"id", "sched_us", "payload"}, new String[] {"42", "-5", "a\"b"});
        assertArrayEquals(new long[] {42, -5}, RowJson.parse(value));
    }

    @Test
    void ignoresTombstonesAndDeletes() {
        assertNull(RowJson.parse(null));
        assertNull(RowJson.parse(utf8("{\"before\":{\"id\":7,\"sched_us\":1},\"after\":null,\"op\":\"d\"}")));
    }

    @Test
    void ignoresMessagesWithoutTheBenchColumns() {
        assertNull(RowJson.parse(utf8("{\"status\":\"BEGIN\",\"id\":\"571:123\"}")));
    }
}
