package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsLogTest {
    @Test
    void logsOnlyTidelineMetersWithTheirTagsAndValues() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Counter.builder("tideline.kafka.records").tag("table", "public.orders").register(registry).increment(42);
        Counter.builder("jvm.something").register(registry).increment();
        assertEquals(List.of("tideline.kafka.records{table=public.orders} count=42"), MetricsLog.lines(registry));
    }
}
