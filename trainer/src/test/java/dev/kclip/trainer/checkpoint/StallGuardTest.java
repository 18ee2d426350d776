package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StallGuardTest {

    @Test
    void aBodyThatStallsMidwayFailsAfterTheStallTimeInsteadOfBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 1_000_000);
            OutputStream out = exchange.getResponseBody();
            out.write(new byte[100]);
            out.flush();
            try {
                release.await();   // the rest never comes while the client waits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        try {
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long start = System.nanoTime();
            try (InputStream in = StallGuard.guard(response.body(), Duration.ofMillis(600))) {
                assertEquals(100, in.readNBytes(100).length, "what arrived is read");
                IOException stalled = assertThrows(IOException.class, () -> in.read(new byte[10]));
                assertTrue(stalled.getMessage().contains("stalled"), stalled.getMessage());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds >= 0.5 && seconds < 10, "failed after " + seconds + " s");
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    @Test
    void aBodyThatKeepsComingIsReadWhole() throws Exception {
        byte[] data = new byte[50_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        try (InputStream in = StallGuard.guard(new ByteArrayInputStream(data), Duration.ofMillis(200))) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }
}
