package io.tideline.daemon;

import io.micrometer.core.instrument.Gauge;
import io.tideline.config.TidelineConfig;
import io.tideline.config.TidelineConfigDef;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the daemon: HTTP endpoints, metrics and the pipeline on its own thread, and the orderly stop
 * (pipeline first, then HTTP) that signals and shutdown hooks trigger.
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final TidelineConfig config;
    private final PipelineProvider provider;
    private final Duration shutdownTimeout;
    private final long startedAt = System.nanoTime();
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private final Object stopLock = new Object();
    /** Released when the pipeline thread ended, or when a shutdown gave up waiting for it. */
    private final CountDownLatch ended = new CountDownLatch(1);

    private volatile PipelineState state = PipelineState.STARTING;
    private volatile Throwable failure;
    private volatile boolean stopTimedOut;
    private Metrics metrics;
    private HttpEndpoints http;
    private MetricsLog metricsLog;
    private volatile Pipeline pipeline;
    private Thread pipelineThread;
    private boolean stopped;

    public Daemon(TidelineConfig config, PipelineProvider provider) {
        this.config = config;
        this.provider = provider;
        this.shutdownTimeout = config.getDuration(TidelineConfigDef.RUNTIME_SHUTDOWN_TIMEOUT);
    }

    /**
     * Binds the HTTP server and starts the pipeline thread.
     *
     * @throws IOException when the HTTP port cannot be bound (a bad environment: exit 2)
     */
    public void start() throws IOException {
        // Under the stop lock: a signal that arrives while we start waits for the start to finish and then stops
        // what was started, and one that arrived before it leaves nothing to start.
        synchronized (stopLock) {
            if (stopped) {
                LOG.info("Stop requested before the pipeline started: not starting it");
                return;
            }
            startLocked();
        }
    }

    private void startLocked() throws IOException {
        metrics = new Metrics();
        Gauge.builder("tideline.pipeline.up", this, d -> d.state().healthy() ? 1 : 0)
                .description("1 while the pipeline is starting or running, 0 once it stopped or failed")
                .register(metrics.registry());
        String host = config.getString(TidelineConfigDef.HTTP_HOST);
        int port = config.getInt(TidelineConfigDef.HTTP_PORT);
        try {
            http = new HttpEndpoints(host, port, this::health, metrics.registry());
        } catch (IOException e) {
            metrics.close();
            throw new EnvironmentException("Cannot start the HTTP server on " + host + ":" + port + ": " + e.getMessage()
                    + ". Free the port or change " + TidelineConfigDef.HTTP_PORT + " (0 picks a free port).");
        }
        LOG.info("Serving GET /health, /health/live, /health/ready and /metrics on http://{}:{}", http.host(), http.port());
        metricsLog = new MetricsLog(metrics.registry(), config.getDuration(TidelineConfigDef.METRICS_LOG_INTERVAL));
        try {
            pipeline = provider.create(config, metrics.registry());
        } catch (Exception | LinkageError e) {
            fail(e);
            return;
        }
        pipelineThread = new Thread(this::runPipeline, "tideline-pipeline");
        // A pipeline that ignores stop() must not keep the JVM alive after the shutdown timeout.
        pipelineThread.setDaemon(true);
        pipelineThread.start();
    }

    private void runPipeline() {
        if (!shutdownStarted.get()) {
            state = PipelineState.RUNNING;
        }
        LOG.info("Pipeline running");
        try {
            pipeline.run();
            state = PipelineState.STOPPED;
            LOG.info("Pipeline stopped");
        } catch (Throwable t) {
            fail(t);
        } finally {
            ended.countDown();
        }
    }

    private void fail(Throwable t) {
        failure = t;
        state = PipelineState.FAILED;
        LOG.error("Pipeline failed: {}", describe(t), t);
    }

    /** Blocks until the pipeline ended (by itself, by failure or by {@link #shutdown()}), then stops the rest. */
    public int awaitExit() throws InterruptedException {
        if (pipelineThread != null) {
            ended.await();
        }
        shutdown();
        return exitCode();
    }

    /** The exit code the run deserves so far: 1 when the pipeline failed or did not stop in time. */
    public int exitCode() {
        return state == PipelineState.FAILED || stopTimedOut ? ExitCodes.RUNTIME_FAILURE : ExitCodes.OK;
    }

    /**
     * Stops the pipeline (waiting up to tideline.runtime.shutdown.timeout), then the HTTP server. Idempotent and
     * safe from a signal handler or shutdown hook; a second caller waits for the first to finish.
     */
    public void shutdown() {
        synchronized (stopLock) {
            if (stopped) {
                return;
            }
            if (shutdownStarted.compareAndSet(false, true) && pipelineThread != null && pipelineThread.isAlive()) {
                LOG.info("Stopping the pipeline (waiting up to {})", shutdownTimeout);
                if (state == PipelineState.RUNNING || state == PipelineState.STARTING) {
                    state = PipelineState.STOPPING;
                }
                try {
                    pipeline.stop();
                    pipelineThread.join(shutdownTimeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    fail(e);
                }
                if (pipelineThread.isAlive()) {
                    stopTimedOut = true;
                    ended.countDown();
                    LOG.error("Cannot stop the pipeline: it is still running after {}. Raise {} or investigate the "
                            + "thread dump.", shutdownTimeout, TidelineConfigDef.RUNTIME_SHUTDOWN_TIMEOUT);
                } else if (state == PipelineState.STOPPING) {
                    state = PipelineState.STOPPED;
                }
            }
            if (metricsLog != null) {
                metricsLog.logOnce();
                metricsLog.close();
            }
            if (http != null) {
                http.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            stopped = true;
        }
    }

    public PipelineState state() {
        return state;
    }

    /** Why the pipeline failed, or null. */
    public Throwable failure() {
        return failure;
    }

    /** The bound HTTP port (useful with tideline.http.port=0). */
    public int httpPort() {
        return http.port();
    }

    HttpEndpoints.Health health() {
        long uptime = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt);
        Throwable f = failure;
        Pipeline p = pipeline;
        java.util.List<String> notReady = p == null ? java.util.List.of() : p.notReadyReasons();
        return new HttpEndpoints.Health(state, f == null ? null : describe(f), uptime, notReady);
    }

    static String describe(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
