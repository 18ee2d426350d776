package dev.kclip.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.http.ListenSettings;
import dev.kclip.common.http.TlsKeystore;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.testsupport.SelfSignedKeystore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the intake listens, without Kafka: every request here is answered before a pair would be sent (401 without a
 * token), so a Kafka that is not there is never asked.
 */
class HttpIntakeListenTest {

    private static final String TOKEN = "listen-test-token";
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(20);
    private static KafkaConnection nowhere;

    @TempDir
    Path dir;

    @BeforeAll
    static void noKafka() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            nowhere = KafkaConnection.to("localhost:" + socket.getLocalPort()); // closed again: nothing listens there
        }
    }

    @Test
    void bindsTheLoopbackAddressByDefault() {
        try (HttpIntake intake = start(HttpIntakeConfig.of(0, TOKEN))) {
            assertEquals("127.0.0.1", intake.address().getAddress().getHostAddress());
            assertEquals("http", intake.scheme());
        }
    }

    @Test
    void servesHttpsFromTheKeystoreAndRefusesPlainHttp() throws Exception {
        TlsKeystore keystore = SelfSignedKeystore.create(dir);
        HttpIntakeConfig config = HttpIntakeConfig.of(0, TOKEN).withListen(ListenSettings.loopback(0).withTls(keystore));
        try (HttpIntake intake = start(config)) {
            HttpClient trusting = HttpClient.newBuilder().sslContext(SelfSignedKeystore.trusting(keystore)).build();

            HttpResponse<String> overTls = trusting.send(post("https", intake.port()), HttpResponse.BodyHandlers.ofString());

            assertEquals(401, overTls.statusCode(), overTls.body());
            assertEquals("Bearer realm=\"kclip\"", overTls.headers().firstValue("WWW-Authenticate").orElseThrow());
            assertEquals("https", intake.scheme());
            assertThrows(IOException.class, () -> HttpClient.newHttpClient()
                    .send(post("http", intake.port()), HttpResponse.BodyHandlers.ofString()));
        }
    }

    @Test
    void clientsThatNeverFinishTheirRequestDoNotHoldTheHandlerThreads() throws Exception {
        // one handler thread, and more clients stalled in their headers or bodies than that
        HttpIntakeConfig config = HttpIntakeConfig.of(0, TOKEN).withThreads(1)
                .withListen(ListenSettings.loopback(0).withIdleTimeout(Duration.ofSeconds(1)));
        try (HttpIntake intake = start(config)) {
            Socket[] stalled = new Socket[6];
            for (int i = 0; i < stalled.length; i += 2) {
                stalled[i] = StalledRequests.open(intake.port(), "POST /v1/pairs HTTP/1.1\r\nHost: localh");
                stalled[i + 1] = StalledRequests.open(intake.port(), "POST /v1/pairs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                        + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\nonly the start");
            }

            HttpResponse<String> answer = HttpClient.newHttpClient().send(post("http", intake.port()),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(401, answer.statusCode(), answer.body());
            // and the idle timeout ends the stalled ones: a 408 for a body that stopped, the end for half a header
            for (Socket socket : stalled) {
                socket.setSoTimeout((int) ANSWER_BOUND.toMillis());
            }
            String bodyStalled = new String(stalled[1].getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(bodyStalled.startsWith("HTTP/1.1 408 "), bodyStalled);
            stalled[0].getInputStream().readAllBytes(); // returns at the end of the stream: the server closed it
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    @Test
    void connectionsBeyondTheLimitWaitUntilOneCloses() throws Exception {
        HttpIntakeConfig config = HttpIntakeConfig.of(0, TOKEN).withListen(ListenSettings.loopback(0).withMaxConnections(2));
        try (HttpIntake intake = start(config)) {
            Socket first = StalledRequests.open(intake.port(), "POST /v1/pairs HTTP/1.1\r\n");
            Socket second = StalledRequests.open(intake.port(), "POST /v1/pairs HTTP/1.1\r\n");
            await(() -> !intake.acceptingConnections(), "the server stops accepting at 2 connections");

            CompletableFuture<HttpResponse<String>> third = HttpClient.newHttpClient()
                    .sendAsync(post("http", intake.port()), HttpResponse.BodyHandlers.ofString());
            first.close();

            assertEquals(401, third.get().statusCode(), "the waiting connection is served once one closes");
            second.close();
        }
    }

    @Test
    void aRequestWaitingForKafkaLongerThanTheIdleTimeoutStillGetsItsAnswer() throws Exception {
        HttpIntakeConfig config = HttpIntakeConfig.of(0, TOKEN).withAckTimeout(Duration.ofSeconds(3))
                .withListen(ListenSettings.loopback(0).withIdleTimeout(Duration.ofSeconds(1)));
        String boundary = "listen-test-boundary";
        String form = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n"
                + "not really an image\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\n"
                + "a caption\r\n--" + boundary + "--\r\n";
        try (HttpIntake intake = start(config)) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + intake.port() + HttpIntake.SINGLE_PATH)).timeout(ANSWER_BOUND)
                    .header("Authorization", "Bearer " + TOKEN)
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());

            assertEquals(503, answer.statusCode(), answer.body()); // Kafka is not there: the idle timeout did not cut it
            assertEquals("1", answer.headers().firstValue("Retry-After").orElseThrow());
        }
    }

    @Test
    void aBodyWithoutContentLengthIsCutOffAtTheLimitWith413() throws Exception {
        try (HttpIntake intake = start(HttpIntakeConfig.of(0, TOKEN).withMaxBodyBytes(1_000))) {
            byte[] tooMuch = new byte[5_000];
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://localhost:" + intake.port() + HttpIntake.BATCH_PATH)).timeout(ANSWER_BOUND)
                    .header("Authorization", "Bearer " + TOKEN) // a stream of unknown length goes chunked
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(tooMuch))).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(413, answer.statusCode(), answer.body());
            assertTrue(answer.body().contains("larger than the 1000 bytes allowed"), answer.body());
        }
    }

    private static HttpIntake start(HttpIntakeConfig config) {
        return HttpIntake.start(config, "raw", nowhere, new SimpleMeterRegistry());
    }

    /** A push without a token; the client waits no longer than a generous bound, so a held server fails the test. */
    private static HttpRequest post(String scheme, int port) {
        return HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + port + HttpIntake.SINGLE_PATH))
                .timeout(ANSWER_BOUND).POST(HttpRequest.BodyPublishers.ofString("x")).build();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + ANSWER_BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + ANSWER_BOUND + ": " + what);
            }
            Thread.sleep(10);
        }
    }
}
