package io.tideline.daemon;

import io.micrometer.core.instrument.MeterRegistry;
import io.tideline.config.TidelineConfig;

/** How the daemon obtains its pipeline; {@code PipelineFactory::create} in production, a stand-in in tests. */
@FunctionalInterface
public interface PipelineProvider {
    PipelineProvider DEFAULT = PipelineFactory::create;

    Pipeline create(TidelineConfig config, MeterRegistry registry) throws Exception;
}
