package io.tideline.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/** GET /health and GET /metrics on the JDK's HTTP server: nothing to add to the classpath for two endpoints. */
final class HttpEndpoints implements AutoCloseable {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * Health as seen by the endpoint: the state and, when failed, why; {@code notReady} lists what keeps a healthy
     * pipeline from being ready (a snapshot still running, ...).
     */
    record Health(PipelineState state, String error, long uptimeSeconds, java.util.List<String> notReady) {
        Health(PipelineState state, String error, long uptimeSeconds) {
            this(state, error, uptimeSeconds, java.util.List.of());
        }

        boolean ready() {
            return state == PipelineState.RUNNING && notReady.isEmpty();
        }
    }

    HttpEndpoints(String host, int port, Supplier<Health> health, PrometheusMeterRegistry registry) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "tideline-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/health", exchange -> handle(exchange, () -> {
            Health h = health.get();
            return new Response(h.state().healthy() ? 200 : 503, "application/json", json(h));
        }));
        // Exact paths: the JDK server matches contexts by prefix, so /health/ready must not fall into /health.
        server.createContext("/health/live", exchange -> handle(exchange, () -> {
            Health h = health.get();
            return new Response(h.state().healthy() ? 200 : 503, "application/json", json(h));
        }));
        server.createContext("/health/ready", exchange -> handle(exchange, () -> {
            Health h = health.get();
            return new Response(h.ready() ? 200 : 503, "application/json", readyJson(h));
        }));
        server.createContext("/metrics", exchange -> handle(exchange,
                () -> new Response(200, PROMETHEUS_TEXT, registry.scrape())));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String host() {
        return server.getAddress().getHostString();
    }

    private record Response(int status, String contentType, String body) {
    }

    private static void handle(HttpExchange exchange, Supplier<Response> responder) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Response r = responder.get();
            byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", r.contentType());
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(r.status(), head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    static String json(Health h) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("status", h.state().healthy() ? "UP" : "DOWN");
        m.put("pipeline", h.state().toString());
        m.put("uptimeSeconds", h.uptimeSeconds());
        if (h.error() != null) m.put("error", h.error());
        return write(m);
    }

    static String readyJson(Health h) {
        java.util.List<String> reasons = new java.util.ArrayList<>(h.notReady());
        if (h.state() != PipelineState.RUNNING) reasons.add(0, "pipeline " + h.state());
        if (h.error() != null) reasons.add(h.error());
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("status", h.ready() ? "READY" : "NOT_READY");
        m.put("pipeline", h.state().toString());
        m.put("reasons", reasons);
        return write(m);
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the health body: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
