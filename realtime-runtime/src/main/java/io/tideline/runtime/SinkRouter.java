package io.tideline.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;
import io.tideline.microbatch.BatchTrigger;
import io.tideline.microbatch.MicroBatchWriter;

/**
 * Attaches a sink to the real-time runtime according to its declared {@link Sink#capability()}, never its name:
 * a record-at-a-time sink's writers are driven directly; a batch-only sink's writers are wrapped in the
 * micro-batch runtime, which looks like a record-at-a-time writer from here.
 */
public final class SinkRouter {

    private final BatchTrigger trigger;
    private final MeterRegistry registry;

    public SinkRouter(BatchTrigger trigger, MeterRegistry registry) {
        this.trigger = trigger;
        this.registry = registry;
    }

    public SinkWriter openWriter(Sink sink, int index, int writers) throws Exception {
        Sink.Capability capability = sink.capability();
        if (capability == null) {
            throw new IllegalArgumentException("Cannot attach sink '" + sink.name() + "': it declares no capability. "
                    + "Return RECORD_AT_A_TIME or BATCH_ONLY from capability().");
        }
        return switch (capability) {
            case RECORD_AT_A_TIME -> sink.openWriter(index, writers);
            case BATCH_ONLY -> MicroBatchWriter.open(sink, index, writers, trigger, registry);
        };
    }
}
