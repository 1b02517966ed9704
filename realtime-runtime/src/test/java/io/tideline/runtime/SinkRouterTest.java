package io.tideline.runtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;
import io.tideline.microbatch.BatchTrigger;
import io.tideline.microbatch.MicroBatchWriter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SinkRouterTest {

    private final SinkRouter router = new SinkRouter(BatchTrigger.DEFAULT, new SimpleMeterRegistry());

    @Test
    void recordAtATimeSinkIsAttachedDirectly() throws Exception {
        RecordingSink sink = new RecordingSink("kafka", Sink.Capability.RECORD_AT_A_TIME);
        try (SinkWriter w = router.openWriter(sink, 0, 2)) {
            assertSame(sink.lastOpened, w, "the sink's own writer, not a wrapper");
        }
    }

    @Test
    void batchOnlySinkIsWrappedByTheMicroBatchRuntimeWhateverItsName() throws Exception {
        // named like a record-at-a-time sink on purpose: the decision is the declared capability
        RecordingSink sink = new RecordingSink("kafka", Sink.Capability.BATCH_ONLY);
        try (SinkWriter w = router.openWriter(sink, 1, 2)) {
            assertInstanceOf(MicroBatchWriter.class, w);
        }
        assertEquals(1, sink.opened.get());
        assertEquals(1, sink.closed.get());
    }
}
