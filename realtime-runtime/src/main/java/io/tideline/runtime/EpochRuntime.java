package io.tideline.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.api.ChangeSource;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.idempotency.EpochLedger;
import io.tideline.idempotency.EpochRecord;
import io.tideline.microbatch.BatchTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The real-time epoch runtime: every stage runs at once on its own threads, records stream through bounded
 * shuffles one at a time, and aligned epoch barriers make each epoch durable in every sink before the ledger
 * records it and the source may acknowledge it.
 *
 * <pre>{@code
 * EpochRuntime rt = EpochRuntime.builder()
 *     .source(source).sink(kafka).sink(iceberg).ledger(EpochLedger.open(stateDir))
 *     .epochDuration(Duration.ofMinutes(5)).parallelism(2).queueCapacity(4096)
 *     .operators(Operators.fromProperties(transforms))
 *     .batchTrigger(Duration.ofSeconds(10), 100_000)
 *     .meterRegistry(registry).maxConsecutiveFailures(5)
 *     .build();
 * rt.run();   // blocks until stop(), the source's run() returning, or a fatal failure
 * }</pre>
 *
 * <p>Failure of any stage, sink write, prepare or commit fails the attempt: the runtime stops every worker,
 * closes the writers, closes the source, and starts again with fresh writers and {@code source.run}, which
 * replays everything after the last acknowledged position. The source, sinks and ledger belong to the caller:
 * the runtime closes only what it opened (the writers) and calls {@code source.close()} to end each run.
 */
public final class EpochRuntime {

    private static final Logger LOG = LoggerFactory.getLogger(EpochRuntime.class);

    record Settings(ChangeSource source, List<Sink> sinks, EpochLedger ledger, Duration epochDuration, int parallelism,
                    int queueCapacity, long queueBytes, Operators operators, SinkRouter router, RuntimeMetrics metrics,
                    Duration shutdownTimeout) {
    }

    private final Settings settings;
    private final int maxConsecutiveFailures;
    private final java.util.function.Function<Throwable, FailureKind> failureKinds;
    private volatile String recovering;
    private final long createdNanos = System.nanoTime();
    private volatile Pipeline failedAttempt;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final AtomicReference<Position> lastCommitted = new AtomicReference<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private volatile Pipeline current;
    private volatile boolean running;

    private EpochRuntime(Builder b) {
        MeterRegistry registry = b.registry != null ? b.registry : new SimpleMeterRegistry();
        // A quarter of the memory bound for all queues together, a quarter for the micro-batches being filled and
        // committed (two per writer); the source's buffers take their share of the same bound (see PipelineFactory).
        long batchBytes = b.memoryMax == Long.MAX_VALUE ? Long.MAX_VALUE
                : Math.max(1, b.memoryMax / 4 / (2L * b.parallelism * Math.max(1, b.sinks.size())));
        BatchTrigger trigger = new BatchTrigger(b.batchInterval, b.batchMaxRows, batchBytes);
        this.settings = new Settings(b.source, List.copyOf(b.sinks), b.ledger, b.epochDuration, b.parallelism,
                b.queueCapacity, b.memoryMax == Long.MAX_VALUE ? Long.MAX_VALUE : b.memoryMax / 4, b.operators, new SinkRouter(trigger, registry), new RuntimeMetrics(registry),
                b.shutdownTimeout);
        this.maxConsecutiveFailures = b.maxConsecutiveFailures;
        this.failureKinds = b.failureKinds;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        b.ledger.lastCommitted().map(EpochRecord::end).ifPresent(lastCommitted::set);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The end position of the last committed epoch (from the ledger at start-up), for health and metrics. */
    public Optional<Position> lastCommitted() {
        return Optional.ofNullable(lastCommitted.get());
    }

    /**
     * Runs until {@link #stop()} (returns normally), until the source's {@code run} returns and its last complete
     * epoch committed (returns normally), or until {@code maxConsecutiveFailures} attempts in a row failed
     * (throws {@link EpochRuntimeException} with the last cause).
     */
    public void run() throws InterruptedException {
        synchronized (this) {
            if (running) throw new IllegalStateException("Cannot run the epoch runtime: it is already running.");
            running = true;
        }
        long nextEpoch = settings.ledger().lastCommitted().map(r -> r.epoch() + 1).orElse(1L);
        int failures = 0;
        int attempts = 0;
        try {
            while (stopRequested.getCount() > 0) {
                Pipeline pipeline = new Pipeline(settings, nextEpoch, lastCommitted);
                current = pipeline;
                if (stopRequested.getCount() == 0) return;
                Control.Outcome outcome;
                try {
                    outcome = pipeline.execute();
                } catch (IllegalStateException e) {
                    throw new EpochRuntimeException(e.getMessage(), e);
                }
                nextEpoch = pipeline.nextEpoch();
                if (outcome != Control.Outcome.FAILED) {
                    recovering = null;
                    return;
                }
                Throwable cause = pipeline.control().failure();
                FailureKind kind = classify(cause);
                settings.metrics().failures(kind).increment();
                attempts = pipeline.control().committedAny() ? 1 : attempts + 1;
                if (kind == FailureKind.PERMANENT) {
                    throw new EpochRuntimeException("Cannot keep replicating: " + pipeline.control().failedStage()
                            + " failed with an error that retrying cannot fix: " + cause.getMessage() + ". Fix the cause"
                            + " and restart; everything after " + lastCommitted().map(Position::toString)
                            .orElse("the slot's start") + " is replayed.", cause);
                }
                // An outage (transient) is waited out for as long as it lasts; only unknown failures count.
                if (kind == FailureKind.UNKNOWN) failures = pipeline.control().committedAny() ? 1 : failures + 1;
                else if (pipeline.control().committedAny()) failures = 0;
                settings.metrics().restarts.increment();
                if (kind == FailureKind.UNKNOWN && failures >= maxConsecutiveFailures) {
                    throw new EpochRuntimeException("Cannot keep replicating: " + failures + " consecutive attempts failed,"
                            + " the last in " + pipeline.control().failedStage() + ": " + cause.getMessage()
                            + ". Fix the cause and restart; everything after " + lastCommitted() .map(Position::toString)
                            .orElse("the slot's start") + " is replayed.", cause);
                }
                long backoff = Math.min(maxBackoff.toMillis(), initialBackoff.toMillis() * (1L << Math.min(20, attempts - 1)));
                failedAttempt = pipeline;
                recovering = "restarting after a " + kind.name().toLowerCase(java.util.Locale.ROOT) + " failure in "
                        + pipeline.control().failedStage() + " (attempt " + attempts + "): " + withRootCause(cause.getMessage(), cause);
                // One line per attempt with the cause; the stack trace only at debug.
                LOG.warn("Epoch pipeline failed in {} ({} failure: {}); restarting in {} ms from {} (attempt {}{}).",
                        pipeline.control().failedStage(), kind.name().toLowerCase(java.util.Locale.ROOT), withRootCause(cause.toString(), cause),
                        backoff, lastCommitted().map(Position::toString).orElse("the start"), attempts,
                        kind == FailureKind.UNKNOWN ? ", " + failures + " of " + maxConsecutiveFailures + " unexplained" : ", retried until it recovers");
                LOG.debug("Cause of the failed attempt", cause);
                if (stopRequested.await(backoff, TimeUnit.MILLISECONDS)) return;
            }
        } finally {
            current = null;
            running = false;
        }
    }

    /**
     * {@code text}, followed by the innermost cause when its message says something {@code text} does not: a wrapped
     * "Failed to create Parquet file" is only actionable with the "Read-only file system" beneath it.
     */
    static String withRootCause(String text, Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String rootText = root.toString();
        if (root == failure || root.getMessage() == null || String.valueOf(text).contains(root.getMessage())) return text;
        return text + " (caused by " + rootText + ")";
    }

    /**
     * Stops gracefully: the current epoch is abandoned without committing partial work (it is replayed on the
     * next start), an epoch already fully prepared finishes committing, writers are closed. {@link #run()} returns.
     */
    /**
     * Why the runtime is not streaming right now: the cause of the last failed attempt, until the attempt after it
     * commits an epoch. Empty while streaming normally.
     */
    public java.util.Optional<String> recovering() {
        String r = recovering;
        Pipeline p = current;
        if (r == null) return java.util.Optional.empty();
        if (p != null && p != failedAttempt && p.control().committedEpoch()) {
            recovering = null;
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(r);
    }

    /**
     * Time since the last epoch committed in this process, or since the runtime was built when none has yet; an
     * epoch commits at least every epoch duration while the pipeline works, even on an idle stream.
     */
    public java.time.Duration sinceLastEpochCommit() {
        long last = settings.metrics().lastEpochCommitNanos;
        return java.time.Duration.ofNanos(System.nanoTime() - (last == 0 ? createdNanos : last));
    }

    /** The configured epoch duration. */
    public java.time.Duration epochDuration() {
        return settings.epochDuration();
    }

    private FailureKind classify(Throwable cause) {
        try {
            FailureKind k = failureKinds.apply(cause);
            return k == null ? FailureKind.UNKNOWN : k;
        } catch (RuntimeException e) {
            return FailureKind.UNKNOWN;
        }
    }

    public void stop() {
        stopRequested.countDown();
        Pipeline p = current;
        if (p != null) p.control().stop();
    }

    public static final class Builder {
        private ChangeSource source;
        private final List<Sink> sinks = new ArrayList<>();
        private EpochLedger ledger;
        private Duration epochDuration = Duration.ofMinutes(5);
        private int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int queueCapacity = 4096;
        private long memoryMax = Long.MAX_VALUE;
        private Operators operators = Operators.none();
        private Duration batchInterval = BatchTrigger.DEFAULT.interval();
        private int batchMaxRows = BatchTrigger.DEFAULT.maxRows();
        private MeterRegistry registry;
        private int maxConsecutiveFailures = 5;
        private java.util.function.Function<Throwable, FailureKind> failureKinds = t -> FailureKind.UNKNOWN;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        public Builder source(ChangeSource source) {
            this.source = source;
            return this;
        }

        /** Adds a sink; routed by its declared capability. */
        public Builder sink(Sink sink) {
            this.sinks.add(sink);
            return this;
        }

        public Builder ledger(EpochLedger ledger) {
            this.ledger = ledger;
            return this;
        }

        /** {@code tideline.runtime.epoch.duration}, default 5m. */
        public Builder epochDuration(Duration epochDuration) {
            this.epochDuration = epochDuration;
            return this;
        }

        /** {@code tideline.runtime.parallelism}: workers per stage after the source; default the number of cores. */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** {@code tideline.runtime.queue.capacity}: items per shuffle queue, default 4096. */
        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        /**
         * Bytes of changes the runtime may hold: a quarter for its queues together, a quarter for its micro-batches
         * (see {@link io.tideline.api.ChangeEvent#approxBytes()}). Unbounded (counts only) unless set.
         */
        public Builder memoryMax(long bytes) {
            this.memoryMax = bytes;
            return this;
        }

        public Builder operators(Operators operators) {
            this.operators = operators;
            return this;
        }

        /** For batch-only sinks: commit every {@code interval} or at {@code maxRows} changes (and at every barrier). */
        public Builder batchTrigger(Duration interval, int maxRows) {
            this.batchInterval = interval;
            this.batchMaxRows = maxRows;
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** Failed attempts in a row (none committing an epoch) after which {@link #run()} throws; default 5. */
        /**
         * How a failed attempt's cause is treated (default: every failure {@link FailureKind#UNKNOWN}): transient ones
         * are retried for ever with the capped backoff, permanent ones stop at once, unknown ones count towards
         * {@link #maxConsecutiveFailures}.
         */
        public Builder failureKinds(java.util.function.Function<Throwable, FailureKind> classifier) {
            this.failureKinds = classifier;
            return this;
        }

        public Builder maxConsecutiveFailures(int maxConsecutiveFailures) {
            this.maxConsecutiveFailures = maxConsecutiveFailures;
            return this;
        }

        /** Wait before restarting after a failure: doubles from {@code initial} up to {@code max}; default 1s..30s. */
        public Builder restartBackoff(Duration initial, Duration max) {
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** {@code tideline.runtime.shutdown.timeout}: how long to wait for each thread to stop; default 30s. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        public EpochRuntime build() {
            List<String> errors = new ArrayList<>();
            if (source == null) errors.add("a source is required (.source(...))");
            if (sinks.isEmpty()) errors.add("at least one sink is required (.sink(...)); enable tideline.sink.kafka.enabled or tideline.sink.iceberg.enabled");
            if (ledger == null) errors.add("an epoch ledger is required (.ledger(EpochLedger.open(stateDir)))");
            if (epochDuration == null || epochDuration.isNegative() || epochDuration.isZero()) {
                errors.add("tideline.runtime.epoch.duration must be positive, got " + epochDuration);
            }
            if (parallelism < 1) errors.add("tideline.runtime.parallelism must be at least 1, got " + parallelism);
            if (queueCapacity < 1) errors.add("tideline.runtime.queue.capacity must be at least 1, got " + queueCapacity);
            if (memoryMax < 1) errors.add("tideline.runtime.memory.max must be positive, got " + memoryMax);
            if (maxConsecutiveFailures < 1) errors.add("max consecutive failures must be at least 1, got " + maxConsecutiveFailures);
            if (operators == null) errors.add("operators must not be null (use Operators.none())");
            if (initialBackoff == null || maxBackoff == null || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
                errors.add("restart backoff must satisfy 0 <= initial <= max");
            }
            if (shutdownTimeout == null || shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
                errors.add("tideline.runtime.shutdown.timeout must be positive");
            }
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException("Cannot build the epoch runtime: " + String.join("; ", errors) + ".");
            }
            new BatchTrigger(batchInterval, batchMaxRows); // validates with its own message
            return new EpochRuntime(this);
        }
    }
}
