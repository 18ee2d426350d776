package dev.kclip.common.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    void closingStopsTheServersThread() throws Exception {
        ServiceEndpoints endpoints = ServiceEndpoints.start("endpoints-close-test", 0);
        assertEquals(200, get(endpoints, "/health").statusCode());
        assertTrue(serverThreadAlive(), "a request starts the server's thread");

        endpoints.close();

        assertFalse(serverThreadAlive(), "no thread is left behind (kclip up starts and closes endpoints in-process)");
    }

    private static boolean serverThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("kclip-endpoints-endpoints-close-test"));
    }

    private static HttpResponse<String> get(ServiceEndpoints endpoints, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + endpoints.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
