package dev.kclip.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP side of a long-running service: {@code GET /metrics} (Prometheus text format, from Micrometer) and
 * {@code GET /health}: the worst of the registered checks on the first line, then one line per check
 * ({@code name STATUS detail}); answered 200 when it is UP or DEGRADED (the service works; a DEGRADED one says why
 * in the body) and 503 when it is DOWN.
 */
public final class ServiceEndpoints implements AutoCloseable {

    private final PrometheusMeterRegistry registry;
    private final Map<String, Supplier<Health>> checks = new ConcurrentSkipListMap<>();
    private final HttpServer server;
    private final ExecutorService executor;

    private ServiceEndpoints(PrometheusMeterRegistry registry, HttpServer server, ExecutorService executor) {
        this.registry = registry;
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code port} (0 for a free one) on all interfaces.
     *
     * @param service value of the {@code service} tag on every meter
     */
    public static ServiceEndpoints start(String service, int port) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (IOException e) {
            registry.close();
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kclip-endpoints-" + service);
            t.setDaemon(true);
            return t;
        });
        ServiceEndpoints endpoints = new ServiceEndpoints(registry, server, executor);
        server.createContext("/metrics", exchange -> respond(exchange, 200, registry.scrape(), "text/plain; version=0.0.4"));
        server.createContext("/health", endpoints::health);
        server.setExecutor(executor);
        server.start();
        return endpoints;
    }

    public MeterRegistry registry() {
        return registry;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Adds (or replaces) a named health check. */
    public void addHealthCheck(String name, Supplier<Health> check) {
        checks.put(name, check);
    }

    private void health(HttpExchange exchange) throws IOException {
        StringBuilder body = new StringBuilder();
        Health.Status worst = Health.Status.UP;
        for (Map.Entry<String, Supplier<Health>> check : checks.entrySet()) {
            Health health;
            try {
                health = check.getValue().get();
            } catch (RuntimeException e) {
                health = Health.down(e.toString());
            }
            worst = health.status().compareTo(worst) > 0 ? health.status() : worst;
            body.append(check.getKey()).append(' ').append(health.status())
                    .append(' ').append(health.detail()).append('\n');
        }
        respond(exchange, worst == Health.Status.DOWN ? 503 : 200, worst + "\n" + body, "text/plain");
    }

    private static void respond(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops serving; the server's thread ends too (HttpServer leaves an executor it was given running). */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registry.close();
    }
}
