package dev.kclip.common.metrics;

import dev.kclip.common.http.ListenSettings;
import dev.kclip.common.http.WebServer;
import dev.kclip.common.live.LiveBoard;
import dev.kclip.common.live.LiveResources;
import dev.kclip.common.live.MeterSeries;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP side of a long-running service: {@code GET /metrics} (Prometheus text format, from Micrometer) and
 * {@code GET /health}: the worst of the registered checks on the first line, then one line per check
 * ({@code name STATUS detail}); answered 200 when it is UP or DEGRADED (the service works; a DEGRADED one says why
 * in the body) and 503 when it is DOWN. {@code GET /} (or {@code /live}) is the service's live page: its meters
 * over time, and whatever else was added to its {@link #live() board} (e.g. the topics' concepts, drift and
 * checkpoints in {@code kclip up}), polled from {@code /live.json}. It binds {@link #DEFAULT_BIND} unless told otherwise, and a client that
 * never finishes its request cannot hold it (see {@link WebServer}).
 */
public final class ServiceEndpoints implements AutoCloseable {

    /** The address served unless told otherwise: this machine only. */
    public static final String DEFAULT_BIND = ListenSettings.LOOPBACK;
    /** Scrapers and probes are few; more connections than this wait to be accepted. */
    private static final int MAX_CONNECTIONS = 32;
    private static final int THREADS = 2;
    private static final String PAGE = LiveResources.page();
    private static final String SCRIPT = LiveResources.pageScript();
    private static final String CHARTS = LiveResources.chartScript();

    private final PrometheusMeterRegistry registry;
    private final Map<String, Supplier<Health>> checks = new ConcurrentSkipListMap<>();
    private final LiveBoard live;
    private final WebServer server;

    private ServiceEndpoints(PrometheusMeterRegistry registry, String service, ListenSettings listen) {
        this.registry = registry;
        this.live = LiveBoard.start(service, LiveBoard.SAMPLE_INTERVAL);
        live.add(new MeterSeries(registry, LiveBoard.POINTS));
        try {
            this.server = WebServer.start("kclip-endpoints-" + service, listen, THREADS, new Routes());
        } catch (RuntimeException e) {
            live.close();
            throw e;
        }
    }

    /** Starts serving on {@code port} (0 for a free one) of {@link #DEFAULT_BIND}. */
    public static ServiceEndpoints start(String service, int port) {
        return start(service, DEFAULT_BIND, port);
    }

    /**
     * Starts serving on {@code port} (0 for a free one) of address {@code bind}.
     *
     * @param service value of the {@code service} tag on every meter
     */
    public static ServiceEndpoints start(String service, String bind, int port) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("service", service);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        try {
            return new ServiceEndpoints(registry, service,
                    ListenSettings.loopback(port).withBind(bind).withMaxConnections(MAX_CONNECTIONS));
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /** {@code /metrics}, {@code /health} and the live page's files; Jetty answers 404 to anything else. */
    private final class Routes extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            switch (Request.getPathInContext(request)) {
                case "/metrics" -> respond(response, callback, 200, registry.scrape(), "text/plain; version=0.0.4");
                case "/health" -> health(response, callback);
                case "/", "/live" -> respond(response, callback, 200, PAGE, "text/html");
                case "/live.json" -> respond(response, callback, 200, live.json(), "application/json");
                case "/live.js" -> respond(response, callback, 200, SCRIPT, "text/javascript");
                case "/charts.js" -> respond(response, callback, 200, CHARTS, "text/javascript");
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    public int port() {
        return server.port();
    }

    /** The address and port it is bound to. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The live page's data: add a source (e.g. a {@link dev.kclip.common.live.TopicWatch}) to show more. */
    public LiveBoard live() {
        return live;
    }

    /** Adds (or replaces) a named health check. */
    public void addHealthCheck(String name, Supplier<Health> check) {
        checks.put(name, check);
    }

    private void health(Response response, Callback callback) {
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
        respond(response, callback, worst == Health.Status.DOWN ? 503 : 200, worst + "\n" + body, "text/plain");
    }

    /** Writes without waiting: a client that does not read its answer holds no thread. */
    private static void respond(Response response, Callback callback, int status, String body, String contentType) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType + "; charset=utf-8");
        Content.Sink.write(response, true, body, callback);
    }

    /** Stops serving; the server's threads end too. */
    @Override
    public void close() {
        server.close();
        live.close();
        registry.close();
    }
}
