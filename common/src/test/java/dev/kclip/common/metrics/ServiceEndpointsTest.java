package dev.kclip.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ServiceEndpointsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void healthIs200WhenUpOrDegradedAnd503WhenAnyCheckIsDown() throws Exception {
        AtomicReference<Health> teacher = new AtomicReference<>(Health.up("onnx-minilm"));
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("endpoints-test", 0)) {
            endpoints.addHealthCheck("ingest", () -> Health.up("streams RUNNING"));
            endpoints.addHealthCheck("teacher", teacher::get);

            HttpResponse<String> up = get(endpoints, "/health");
            assertEquals(200, up.statusCode());
            assertEquals("UP\ningest UP streams RUNNING\nteacher UP onnx-minilm\n", up.body());

            teacher.set(Health.degraded("onnx-minilm; 1 aborted batches"));
            HttpResponse<String> degraded = get(endpoints, "/health");
            assertEquals(200, degraded.statusCode());
            assertEquals("DEGRADED\ningest UP streams RUNNING\nteacher DEGRADED onnx-minilm; 1 aborted batches\n",
                    degraded.body());

            teacher.set(Health.down("fenced"));
            HttpResponse<String> down = get(endpoints, "/health");
            assertEquals(503, down.statusCode());
            assertEquals("DOWN\ningest UP streams RUNNING\nteacher DOWN fenced\n", down.body());

            endpoints.registry().counter("kclip.test.things").increment(3);
            HttpResponse<String> metrics = get(endpoints, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("kclip_test_things_total{service=\"endpoints-test\"} 3.0"), metrics.body());
        }
    }

    @Test
    void servesTheLivePageAndItsData() throws Exception {
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("endpoints-live-test", 0)) {
            endpoints.registry().counter("kclip.test.things").increment(3);

            HttpResponse<String> page = get(endpoints, "/");
            assertEquals(200, page.statusCode());
            assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
            assertTrue(page.body().contains("<script src=\"live.js\"></script>"), page.body());
            assertEquals(page.body(), get(endpoints, "/live").body());
            assertTrue(get(endpoints, "/charts.js").body().contains("var KclipCharts"));
            HttpResponse<String> data = get(endpoints, "/live.json");
            assertEquals(200, data.statusCode());
            assertTrue(data.body().startsWith("{\"service\":\"endpoints-live-test\""), data.body());
            assertTrue(data.body().contains("\"rates\":{"), "the meters' figures: " + data.body());
        }
    }

    @Test
    void closingStopsTheServersThread() throws Exception {
        ServiceEndpoints endpoints = ServiceEndpoints.start("endpoints-close-test", 0);
        assertEquals(200, get(endpoints, "/health").statusCode());
        assertTrue(serverThreadAlive(), "a request starts the server's thread");

        endpoints.close();

        assertFalse(serverThreadAlive(), "no thread is left behind (kclip up starts and closes endpoints in-process)");
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("kclip-live-endpoints-close-test")), "nor the page's sampler");
    }

    @Test
    void bindsTheLoopbackAddressUnlessTold() {
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("endpoints-bind-test", 0)) {
            assertEquals("127.0.0.1", endpoints.address().getAddress().getHostAddress());
        }
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("endpoints-bind-test", "0.0.0.0", 0)) {
            assertTrue(endpoints.address().getAddress().isAnyLocalAddress(), endpoints.address().toString());
        }
    }

    @Test
    void clientsThatNeverFinishTheirRequestDoNotHoldTheEndpoints() throws Exception {
        try (ServiceEndpoints endpoints = ServiceEndpoints.start("endpoints-slow-test", 0)) {
            endpoints.addHealthCheck("stage", () -> Health.up("fine"));
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    // half a request line and header, and a complete header with half its body
                    stalled.add(send(endpoints, "GET /health HTTP/1.1\r\nHost: loc"));
                    stalled.add(send(endpoints, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc"));
                }

                HttpResponse<String> health = get(endpoints, "/health");

                assertEquals(200, health.statusCode());
                assertEquals("UP\nstage UP fine\n", health.body());
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    private static Socket send(ServiceEndpoints endpoints, String partialRequest) throws Exception {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), endpoints.port());
        OutputStream out = socket.getOutputStream();
        out.write(partialRequest.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static boolean serverThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().startsWith("kclip-endpoints-endpoints-close-test"));
    }

    /** Waits for the answer no longer than a generous bound, so a server that is held fails the test. */
    private static HttpResponse<String> get(ServiceEndpoints endpoints, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + endpoints.port() + path))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
