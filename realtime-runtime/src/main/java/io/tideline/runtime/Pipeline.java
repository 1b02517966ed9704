package io.tideline.runtime;

import io.tideline.api.ChangeSource;
import io.tideline.api.Position;
import io.tideline.api.Sink;
import io.tideline.idempotency.EpochLedger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One attempt of the pipeline: source stage ─shuffle(key)→ P operator workers ─shuffle(sink partition)→ P writers
 * per sink, every stage on its own threads, all running at once; without operators, source stage ─shuffle(sink
 * partition)→ P writers per sink. An attempt ends when the runtime stops it, when
 * anything fails (the runtime then starts a fresh attempt), or when the source's run returns and its last epoch
 * committed.
 */
final class Pipeline {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final EpochRuntime.Settings settings;
    private final Control control = new Control();
    private final SourceStage sourceStage;
    private final EpochCoordinator coordinator;
    private final List<Thread> workers = new ArrayList<>();
    private final ChangeSource source;
    private final Parker sourceParker;
    private Thread sourceThread;
    private ScheduledExecutorService timer;
    /** Where this attempt's replay starts: the end of the last committed epoch (null: none yet). */
    private final Position acknowledged;

    Pipeline(EpochRuntime.Settings settings, long firstEpoch, AtomicReference<Position> lastCommitted) {
        this.settings = settings;
        this.acknowledged = lastCommitted.get();
        this.source = settings.source();
        int p = settings.parallelism();
        Sink[] sinks = settings.sinks().toArray(new Sink[0]);
        this.coordinator = new EpochCoordinator(sinks.length * p, settings.ledger(), source, control,
                settings.metrics(), lastCommitted);
        this.sourceParker = new Parker();
        SourceProgress progress = new SourceProgress();
        Parker[][] writerParkers = new Parker[sinks.length][p];
        for (int s = 0; s < sinks.length; s++) {
            for (int w = 0; w < p; w++) writerParkers[s][w] = new Parker();
        }
        long epochNanos = settings.epochDuration().toNanos();
        if (settings.operators().isEmpty()) {
            // Nothing to apply between source and sinks: the operator stage is chained away (as Flink chains
            // operators), so a change costs one queue hop instead of two and no merge. Each writer then has one
            // input, fed in position order by the source.
            Channel[] toWriters = new Channel[sinks.length * p];
            for (int s = 0; s < sinks.length; s++) {
                for (int w = 0; w < p; w++) {
                    Channel c = channel("source->" + sinks[s].name() + "-" + w, sourceParker, writerParkers[s][w]);
                    toWriters[s * p + w] = c;
                    addWorker(new StageWorker("sink-" + sinks[s].name() + "-" + w, new Channel[]{c},
                            sinkProcessor(sinks[s], w), writerParkers[s][w], control));
                }
            }
            this.sourceStage = new SourceStage(source, toWriters, Routing.toWriters(sinks, p), control, firstEpoch,
                    lastCommitted.get(), epochNanos, settings.metrics(), progress);
            return;
        }
        Parker[] operatorParkers = new Parker[p];
        Channel[] sourceOut = new Channel[p];
        for (int i = 0; i < p; i++) {
            operatorParkers[i] = new Parker();
            sourceOut[i] = channel("source->operator-" + i, sourceParker, operatorParkers[i]);
        }
        // one queue per (operator worker, sink writer) pair: single producer, single consumer, aligned per input
        Channel[][][] toWriters = new Channel[p][sinks.length][p];
        for (int o = 0; o < p; o++) {
            for (int s = 0; s < sinks.length; s++) {
                for (int w = 0; w < p; w++) {
                    toWriters[o][s][w] = channel("operator-" + o + "->" + sinks[s].name() + "-" + w,
                            operatorParkers[o], writerParkers[s][w]);
                }
            }
        }
        this.sourceStage = new SourceStage(source, sourceOut, Routing.byKey(p), control, firstEpoch, lastCommitted.get(),
                epochNanos, settings.metrics(), progress);
        StageWorker[] operators = new StageWorker[p];
        for (int o = 0; o < p; o++) {
            OperatorProcessor proc = new OperatorProcessor(settings.operators(), sinks, toWriters[o], control,
                    settings.metrics().recordsIn("operator", o), settings.metrics().recordsOut("operator", o));
            operators[o] = new StageWorker("operator-" + o, new Channel[]{sourceOut[o]}, proc, operatorParkers[o], control);
            addWorker(operators[o]);
        }
        Parker[] allWriters = java.util.Arrays.stream(writerParkers).flatMap(java.util.Arrays::stream).toArray(Parker[]::new);
        progress.notify(allWriters);
        for (StageWorker op : operators) op.notifyOnBound(allWriters);
        for (int s = 0; s < sinks.length; s++) {
            for (int w = 0; w < p; w++) {
                Channel[] inputs = new Channel[p];
                for (int o = 0; o < p; o++) inputs[o] = toWriters[o][s][w];
                OrderedMergeWorker worker = new OrderedMergeWorker("sink-" + sinks[s].name() + "-" + w, inputs, operators,
                        progress, sinkProcessor(sinks[s], w), writerParkers[s][w], control);
                addWorker(worker);
            }
        }
    }

    private Channel channel(String name, Parker producer, Parker consumer) {
        int p = settings.parallelism();
        int sinks = settings.sinks().size();
        long queues = settings.operators().isEmpty() ? (long) sinks * p : p + (long) p * sinks * p;
        long bytes = settings.queueBytes() == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, settings.queueBytes() / queues);
        Channel c = new Channel(name, settings.queueCapacity(), bytes, producer, consumer);
        settings.metrics().track(c);
        return c;
    }

    private SinkProcessor sinkProcessor(Sink sink, int writer) {
        return new SinkProcessor(sink, writer, settings.parallelism(), settings.router(), coordinator, settings.metrics(),
                acknowledged);
    }

    private void addWorker(WorkerLoop worker) {
        Thread t = new Thread(worker, "tideline-" + worker.name());
        t.setDaemon(true);
        workers.add(t);
    }

    Control control() {
        return control;
    }

    /** Runs the attempt to its end and tears it down; the outcome says how it ended. */
    Control.Outcome execute() throws InterruptedException {
        workers.forEach(Thread::start);
        long tickNanos = Math.max(1_000_000L, Math.min(100_000_000L, settings.epochDuration().toNanos() / 10));
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tideline-epoch-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(sourceStage::tick, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        sourceThread = new Thread(this::runSource, "tideline-source");
        sourceThread.setDaemon(true);
        sourceThread.start();
        try {
            control.await();
        } finally {
            tearDown();
        }
        return control.outcome();
    }

    private void runSource() {
        sourceParker.bindToCurrentThread();
        try {
            source.run(sourceStage);
            if (control.aborted()) return;
            long last = sourceStage.finish();
            if (last < 0) {
                control.complete();
            } else {
                control.drainUntil(last);
            }
        } catch (Throwable t) {
            if (!control.aborted()) control.fail("source", t);
        }
    }

    private void tearDown() throws InterruptedException {
        control.abort(); // makes every loop exit; keeps how the attempt ended
        timer.shutdownNow();
        try {
            source.close();
        } catch (Exception e) {
            LOG.warn("Cannot close the change source cleanly: {}. Continuing shutdown.", e.toString());
        }
        long timeoutMs = settings.shutdownTimeout().toMillis();
        join(sourceThread, timeoutMs, "the source did not return from run() after close()");
        for (Thread t : workers) join(t, timeoutMs, "a stage worker did not stop (a sink write or prepare hangs)");
        coordinator.shutdown(timeoutMs);
    }

    private static void join(Thread t, long timeoutMs, String why) throws InterruptedException {
        t.join(timeoutMs);
        if (t.isAlive()) {
            t.interrupt();
            t.join(1000);
            if (t.isAlive()) {
                throw new IllegalStateException("Cannot stop thread " + t.getName() + " within " + timeoutMs + " ms: "
                        + why + ". Raise tideline.runtime.shutdown.timeout or fix the blocking call.");
            }
        }
    }

    long nextEpoch() {
        return sourceStage.nextEpoch();
    }
}
