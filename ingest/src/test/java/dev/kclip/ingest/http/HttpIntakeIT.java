package dev.kclip.ingest.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.common.http.ListenSettings;
import dev.kclip.common.http.TlsKeystore;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.ingest.IngestItSupport;
import dev.kclip.ingest.IngestService;
import dev.kclip.ingest.TestImages;
import dev.kclip.ingest.topology.IngestTopics;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import dev.kclip.testsupport.SelfSignedKeystore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP intake in front of a running ingest stage on the embedded broker. */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpIntakeIT {

    private static final String TOKEN = "it-secret-token";
    private static final String BOUNDARY = "kclip-test-boundary-7f3a";
    private static final long MAX_BODY = 200 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private KafkaConnection kafka;
    private IngestTopics topics;
    private IngestService service;
    private Path stateDir;

    @BeforeAll
    void start(KafkaBroker broker) throws IOException {
        kafka = broker.connection();
        topics = IngestItSupport.uniqueTopics("http");
        stateDir = Files.createTempDirectory("kclip-http-it");
        service = IngestService.start(IngestItSupport.config(topics, stateDir)
                .withHttp(HttpIntakeConfig.of(0, TOKEN).withMaxBodyBytes(MAX_BODY)), kafka, new SimpleMeterRegistry());
    }

    @AfterAll
    void stop() throws IOException {
        service.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void authenticatedMultipartPostLandsInPairs() throws Exception {
        byte[] image = TestImages.jpeg(TestImages.halves(512, 384, Color.RED, Color.BLUE));

        HttpResponse<String> response = post(HttpIntake.SINGLE_PATH, "Bearer " + TOKEN, "multipart/form-data; boundary=" + BOUNDARY,
                multipart(image, "  a red and blue flag ", "flag", Map.of("photographer", "me")));

        assertEquals(200, response.statusCode(), response.body());
        JsonNode answer = JSON.readTree(response.body());
        String id = answer.get("id").asText();
        assertEquals(PairIds.contentHash(image, "  a red and blue flag "), id);
        assertEquals(topics.input(), answer.get("topic").asText());

        ImageCaptionPair pair = awaitOutput(id);
        assertEquals("a red and blue flag", pair.getCaption());
        assertEquals("flag", pair.getLabel());
        assertEquals("http", pair.getSource());
        assertEquals(Map.of("photographer", "me"), pair.getAttributes());
        assertEquals(256, pair.getWidth());
        assertEquals(192, pair.getHeight());
    }

    @Test
    void withoutTokenIs401AndWithAWrongOne403() throws Exception {
        byte[] body = multipart(TestImages.png(TestImages.solid(8, 8, Color.RED)), "red", null, Map.of());
        HttpResponse<String> none = post(HttpIntake.SINGLE_PATH, null, "multipart/form-data; boundary=" + BOUNDARY, body);
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"kclip\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());

        HttpResponse<String> wrong = post(HttpIntake.SINGLE_PATH, "Bearer not-" + TOKEN, "multipart/form-data; boundary=" + BOUNDARY, body);
        assertEquals(403, wrong.statusCode());
        assertTrue(!wrong.body().contains(TOKEN), "the token is never echoed");
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        byte[] big = new byte[(int) MAX_BODY + 50_000];
        HttpResponse<String> response = post(HttpIntake.BATCH_PATH, "Bearer " + TOKEN, "application/x-ndjson", big);
        assertEquals(413, response.statusCode());
        assertTrue(response.body().contains("larger than the " + MAX_BODY + " bytes allowed"), response.body());
    }

    @Test
    void batchOfJsonLinesAnswersIdsAndLineErrors() throws Exception {
        byte[] green = TestImages.png(TestImages.solid(20, 20, Color.GREEN));
        byte[] gray = TestImages.grayPng(20, 20, 128);
        String body = String.join("\n",
                JSON.createObjectNode().put("image", Base64.getEncoder().encodeToString(green)).put("caption", "green").put("label", "g").toString(),
                "{\"caption\": \"no image\"}",
                JSON.createObjectNode().put("image", Base64.getEncoder().encodeToString(gray)).put("caption", "gray").put("shade", 128).toString(),
                "{not json");

        HttpResponse<String> response = post(HttpIntake.BATCH_PATH, "Bearer " + TOKEN, "application/x-ndjson",
                body.getBytes(StandardCharsets.UTF_8));

        assertEquals(200, response.statusCode(), response.body());
        JsonNode answer = JSON.readTree(response.body());
        assertEquals(2, answer.get("accepted").asInt());
        assertEquals(PairIds.contentHash(green, "green"), answer.get("ids").get(0).get("id").asText());
        assertEquals(3, answer.get("ids").get(1).get("line").asInt());
        assertEquals(List.of(2, 4), JSON.convertValue(answer.get("errors").findValues("line"), List.class));
        assertEquals("128", awaitOutput(PairIds.contentHash(gray, "gray")).getAttributes().get("shade"));
    }

    @Test
    void wrongPathAndMethodAreRefused() throws Exception {
        assertEquals(404, post("/v1/pairs/extra", "Bearer " + TOKEN, "text/plain", new byte[1]).statusCode());
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri(HttpIntake.SINGLE_PATH)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
        assertEquals(400, post(HttpIntake.SINGLE_PATH, "Bearer " + TOKEN, "application/json", "{}".getBytes(StandardCharsets.UTF_8)).statusCode());
    }

    @Test
    void producerThatCannotKeepUpAnswers429WithRetryAfter() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort(); // closed again: nothing listens there
        }
        // a Kafka that never answers, and room for one request's bytes at a time
        HttpIntakeConfig config = HttpIntakeConfig.of(0, TOKEN).withMaxInFlightBytes(1).withAckTimeout(Duration.ofSeconds(4));
        try (HttpIntake stuck = HttpIntake.start(config, "raw", KafkaConnection.to("localhost:" + deadPort), new SimpleMeterRegistry())) {
            byte[] body = multipart(TestImages.png(TestImages.solid(8, 8, Color.RED)), "red", null, Map.of());
            CompletableFuture<HttpResponse<String>> first = client.sendAsync(request(stuck.port(), body), HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (stuck.inFlightBytes() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(stuck.inFlightBytes() > 0, "the first request waits for Kafka");

            HttpResponse<String> second = client.send(request(stuck.port(), body), HttpResponse.BodyHandlers.ofString());

            assertEquals(429, second.statusCode(), second.body());
            assertEquals("1", second.headers().firstValue("Retry-After").orElseThrow());
            HttpResponse<String> firstAnswer = first.get();
            assertEquals(503, firstAnswer.statusCode(), firstAnswer.body());
            assertEquals("1", firstAnswer.headers().firstValue("Retry-After").orElseThrow());
            // the answer may leave before the producer gives the records up (both wait the same 4 s)
            long released = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (stuck.inFlightBytes() != 0 && System.nanoTime() < released) {
                Thread.sleep(20);
            }
            assertEquals(0, stuck.inFlightBytes(), "the budget is given back once the producer has given up the records");
        }
    }

    @Test
    void pushOverHttpsLandsInPairs() throws Exception {
        TlsKeystore keystore = SelfSignedKeystore.create(stateDir);
        HttpIntakeConfig config = HttpIntakeConfig.of(0, TOKEN).withListen(ListenSettings.loopback(0).withTls(keystore));
        byte[] image = TestImages.png(TestImages.solid(20, 20, Color.ORANGE));
        try (HttpIntake tls = HttpIntake.start(config, topics.input(), kafka, new SimpleMeterRegistry())) {
            HttpClient trusting = HttpClient.newBuilder().sslContext(SelfSignedKeystore.trusting(keystore)).build();

            HttpResponse<String> response = trusting.send(request("https", tls.port(),
                    multipart(image, "an orange square", null, Map.of())), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode(), response.body());
            assertEquals(PairIds.contentHash(image, "an orange square"), JSON.readTree(response.body()).get("id").asText());
        }
        assertEquals("an orange square", awaitOutput(PairIds.contentHash(image, "an orange square")).getCaption());
    }

    @Test
    void pushSucceedsWhileClientsHoldConnectionsWithUnfinishedRequests() throws Exception {
        // two handler threads, more stalled requests than that: half a header, or a header and half its body
        HttpIntakeConfig config = HttpIntakeConfig.of(0, TOKEN).withThreads(2)
                .withListen(ListenSettings.loopback(0).withIdleTimeout(Duration.ofSeconds(2)));
        byte[] image = TestImages.png(TestImages.solid(20, 20, Color.PINK));
        List<Socket> stalled = new ArrayList<>();
        try (HttpIntake intake = HttpIntake.start(config, topics.input(), kafka, new SimpleMeterRegistry())) {
            for (int i = 0; i < 4; i++) {
                stalled.add(StalledRequests.open(intake.port(), "POST /v1/pairs HTTP/1.1\r\nHost: loc"));
                stalled.add(StalledRequests.open(intake.port(), "POST /v1/pairs HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                        + TOKEN + "\r\nContent-Type: multipart/form-data; boundary=" + BOUNDARY
                        + "\r\nContent-Length: 100000\r\n\r\n--" + BOUNDARY));
            }

            HttpResponse<String> response = client.send(request("http", intake.port(),
                    multipart(image, "a pink square", null, Map.of())), HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode(), response.body());
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
        assertEquals("a pink square", awaitOutput(PairIds.contentHash(image, "a pink square")).getCaption());
    }

    private HttpRequest request(int port, byte[] body) {
        return request("http", port, body);
    }

    /** A push; the client waits no longer than a generous bound, so a server that is held fails the test. */
    private HttpRequest request(String scheme, int port, byte[] body) {
        return HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + port + HttpIntake.SINGLE_PATH))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private ImageCaptionPair awaitOutput(String id) throws InterruptedException {
        IngestItSupport.awaitCaughtUp(kafka, service.config().applicationId(), topics.input(), Duration.ofSeconds(60));
        Map<String, ImageCaptionPair> byId = IngestItSupport.readAll(kafka, topics.output()).stream()
                .map(r -> PAIRS.decode(r.value())).collect(Collectors.toMap(ImageCaptionPair::getId, p -> p));
        ImageCaptionPair pair = byId.get(id);
        if (pair == null) {
            throw new AssertionError("pair " + id + " is not in " + topics.output() + " (has " + byId.keySet() + ")");
        }
        return pair;
    }

    private HttpResponse<String> post(String path, String authorization, String contentType, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + service.httpPort() + path);
    }

    private static byte[] multipart(byte[] image, String caption, String label, Map<String, String> fields) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"upload.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(image);
        text(body, "caption", caption);
        if (label != null) {
            text(body, "label", label);
        }
        fields.forEach((name, value) -> text(body, name, value));
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    private static void text(ByteArrayOutputStream body, String name, String value) {
        body.writeBytes(("\r\n--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value)
                .getBytes(StandardCharsets.UTF_8));
    }
}
