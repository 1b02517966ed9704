package io.tideline.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.tideline.config.TidelineConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DaemonTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static TidelineConfig config(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of(
                "tideline.source.database.hostname", "127.0.0.1",
                "tideline.source.database.user", "repl",
                "tideline.source.database.dbname", "shop",
                "tideline.sink.kafka.enabled", "true",
                "tideline.sink.kafka.bootstrap.servers", "127.0.0.1:1",
                "tideline.http.port", "0",
                "tideline.runtime.shutdown.timeout", "1s"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return TidelineConfig.from(m, Map.of());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs until stopped, like the real pipeline; records that stop was asked. */
    static class BlockingPipeline implements Pipeline {
        final CountDownLatch running = new CountDownLatch(1);
        final CountDownLatch stopAsked = new CountDownLatch(1);

        @Override
        public void run() throws InterruptedException {
            running.countDown();
            // bounded: a daemon that never calls stop() must fail this test, not hang the suite
            if (!stopAsked.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("stop() was not called within 60 s");
        }

        @Override
        public void stop() {
            stopAsked.countDown();
        }
    }

    @Test
    void servesHealthAndPrometheusMetricsWhileRunningAndStopsCleanlyWithExit0() throws Exception {
        BlockingPipeline pipeline = new BlockingPipeline();
        Daemon daemon = new Daemon(config(), (cfg, registry) -> {
            Counter.builder("tideline.test.events").register(registry).increment(3);
            return pipeline;
        });
        daemon.start();
        assertTrue(pipeline.running.await(5, TimeUnit.SECONDS));
        HttpResponse<String> health = get(daemon.httpPort(), "/health");
        assertEquals(200, health.statusCode());
        assertTrue(health.body().startsWith("{\"status\":\"UP\",\"pipeline\":\"RUNNING\""), health.body());

        HttpResponse<String> metrics = get(daemon.httpPort(), "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM binders missing");
        assertTrue(metrics.body().contains("tideline_pipeline_up{application=\"tideline\"} 1.0"), metrics.body());
        assertTrue(metrics.body().contains("tideline_test_events_total{application=\"tideline\"} 3.0"));

        daemon.shutdown();
        assertEquals(0, assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), daemon::awaitExit));
        assertEquals(PipelineState.STOPPED, daemon.state());
        assertEquals(0, pipeline.stopAsked.getCount(), "pipeline.stop() was not called");
        assertThrows(java.io.IOException.class, () -> get(daemon.httpPort(), "/health"), "HTTP server still up");
    }

    @Test
    void healthAnswers503WithTheErrorOnceThePipelineFailedAndTheExitCodeIs1() throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        Daemon daemon = new Daemon(config(), (cfg, registry) -> new Pipeline() {
            @Override
            public void run() throws Exception {
                try {
                    throw new IllegalStateException("replication slot \"tideline\" is active");
                } finally {
                    failed.countDown();
                }
            }

            @Override
            public void stop() {
            }
        });
        daemon.start();
        assertTrue(failed.await(5, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (daemon.state() != PipelineState.FAILED && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        HttpResponse<String> health = get(daemon.httpPort(), "/health");
        assertEquals(503, health.statusCode());
        assertTrue(health.body().contains("\"status\":\"DOWN\""), health.body());
        assertTrue(health.body().contains("replication slot \\\"tideline\\\" is active"), health.body());
        assertEquals(1, assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), daemon::awaitExit));
    }

    @Test
    void aPipelineThatIgnoresStopIsAbandonedAfterTheShutdownTimeoutWithExit1() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Daemon daemon = new Daemon(config("tideline.runtime.shutdown.timeout", "300ms"), (cfg, registry) -> new Pipeline() {
            @Override
            public void run() throws InterruptedException {
                if (!release.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
            }

            @Override
            public void stop() {
                // deliberately ignored
            }
        });
        daemon.start();
        long t0 = System.nanoTime();
        // As on SIGTERM: the stop runs on another thread while the main thread waits in awaitExit.
        new Thread(daemon::shutdown, "test-signal").start();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(10), daemon::awaitExit);
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(waitedMs >= 250, "gave up after " + waitedMs + " ms, before the 300 ms timeout");
        assertEquals(1, code);
        release.countDown();
    }

    @Test
    void anOccupiedHttpPortIsAnEnvironmentErrorNamingTheProperty() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Daemon daemon = new Daemon(config("tideline.http.port", Integer.toString(taken.getLocalPort())),
                    (cfg, registry) -> new BlockingPipeline());
            EnvironmentException e = assertThrows(EnvironmentException.class, daemon::start);
            assertTrue(e.getMessage().contains("tideline.http.port"), e.getMessage());
            assertEquals(2, Cli.exitCodeOf(e));
        }
    }
}
