package dev.kclip.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.common.http.BearerToken;
import dev.kclip.common.http.WebServer;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.push.RawPairs;
import dev.kclip.schemas.ImageCaptionPair;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs over HTTP, written to the raw topic like {@code kclip push} writes them (same ids, same record):
 *
 * <ul>
 *   <li>{@code POST /v1/pairs}: {@code multipart/form-data} with an {@code image} file, a {@code caption} and
 *       optionally a {@code label}; other text fields become attributes. Answers {@code {"id": ...}}.</li>
 *   <li>{@code POST /v1/pairs:batch}: JSON Lines, one {@code {"image": <base64>, "caption": ..., "label": ...}}
 *       per line. Answers {@code {"accepted": n, "ids": [...], "errors": [{"line": i, "error": ...}]}}.</li>
 * </ul>
 *
 * 200 once Kafka has acknowledged the pairs; 400 for a malformed request; 401 without a bearer token, 403 with a
 * wrong one; 408 (if the connection still takes it) for a body that stopped coming; 413 for a body over the limit; 429 with {@code Retry-After} when too many bytes already wait for
 * Kafka; 503 with {@code Retry-After} when Kafka does not acknowledge in time. Validation happens downstream, in
 * the ingest topology. Neither image bytes nor tokens are ever logged.
 *
 * <p>It listens as {@link HttpIntakeConfig#listen()} says (127.0.0.1 unless told otherwise; HTTPS with a keystore)
 * on Jetty: a client that never finishes its request, headers or body, holds no handler thread (only its connection,
 * until the idle timeout closes it), and connections beyond the limit wait to be accepted.
 */
public final class HttpIntake implements AutoCloseable {

    public static final String SINGLE_PATH = "/v1/pairs";
    public static final String BATCH_PATH = "/v1/pairs:batch";
    /** The {@code source} of pairs that came over HTTP. */
    public static final String SOURCE = "http";

    private static final Logger LOG = LoggerFactory.getLogger(HttpIntake.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETRY_AFTER_SECONDS = "1";

    private final HttpIntakeConfig config;
    private final RawPairProducer producer;
    private final MeterRegistry registry;
    private final BearerToken token;
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final WebServer server;

    private HttpIntake(HttpIntakeConfig config, RawPairProducer producer, MeterRegistry registry) {
        this.config = config;
        this.producer = producer;
        this.registry = registry;
        this.token = BearerToken.of(config.token());
        this.server = WebServer.start("kclip-http-intake", config.listen(), config.threads(), new Endpoints());
    }

    /** Starts serving as {@code config.listen()} says, writing to {@code topic}. */
    public static HttpIntake start(HttpIntakeConfig config, String topic, KafkaConnection kafka, MeterRegistry registry) {
        Properties overrides = new Properties();
        // a request must not hang in send() longer than it may wait for the acknowledgement
        overrides.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(config.ackTimeout().toMillis()));
        RawPairProducer producer = new RawPairProducer(kafka, topic, overrides);
        HttpIntake intake;
        try {
            intake = new HttpIntake(config, producer, registry);
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
        Gauge.builder("kclip.ingest.http.inflight", intake.inFlightBytes, AtomicLong::get).baseUnit("bytes")
                .description("record bytes sent over HTTP and not yet acknowledged by Kafka").register(registry);
        Gauge.builder("kclip.ingest.http.connections", intake.server, WebServer::openConnections)
                .description("HTTP intake connections open").register(registry);
        return intake;
    }

    /** The port it listens on. */
    public int port() {
        return server.port();
    }

    /** The address and port it is bound to. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** {@code http}, or {@code https} with a keystore. */
    public String scheme() {
        return server.scheme();
    }

    /** Whether it accepts new connections now: false while {@code listen().maxConnections()} are open. */
    public boolean acceptingConnections() {
        return server.accepting();
    }

    /** Record bytes sent and not yet acknowledged. */
    public long inFlightBytes() {
        return inFlightBytes.get();
    }

    /** One request: what came and where its answer goes. */
    private record Exchange(Request request, Response response, Callback callback) {
        String header(HttpHeader name) {
            return request.getHeaders().get(name);
        }

        void setHeader(String name, String value) {
            response.getHeaders().put(name, value);
        }
    }

    /** Both endpoints. A body is read as it arrives, holding no thread; answering may wait for Kafka on one. */
    private final class Endpoints extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            if (!path.startsWith(SINGLE_PATH)) {
                return false; // Jetty answers 404
            }
            HttpIntake.this.handle(new Exchange(request, response, callback), path, path.startsWith(BATCH_PATH));
            return true;
        }
    }

    private void handle(Exchange exchange, String path, boolean batch) {
        int status;
        try {
            status = refuse(exchange, path, batch);
        } catch (RuntimeException e) {
            status = fail(exchange, batch, e);
        }
        if (status != 0) {
            count(exchange, batch, status);
            return;
        }
        new BodyReader(exchange, body -> count(exchange, batch, answer(exchange, batch, body)),
                failure -> count(exchange, batch, abandoned(exchange, failure))).run();
    }

    /** 408 for a body that stopped coming (idle timeout, closed connection): the client's doing, not logged louder. */
    private static int abandoned(Exchange exchange, Throwable failure) {
        LOG.debug("{} body abandoned: {}", exchange.request().getMethod(), failure.toString());
        return respond(exchange, 408, error("the request body stopped coming; the connection is closed"));
    }

    private void count(Exchange exchange, boolean batch, int status) {
        String endpoint = batch ? BATCH_PATH : SINGLE_PATH;
        Counter.builder("kclip.ingest.http.requests").tag("endpoint", endpoint).tag("status", Integer.toString(status))
                .description("HTTP intake requests by answer").register(registry).increment();
        LOG.debug("{} {} -> {}", exchange.request().getMethod(), endpoint, status);
    }

    private static int fail(Exchange exchange, boolean batch, Throwable failure) {
        LOG.warn("{} {} failed: {}", exchange.request().getMethod(), batch ? BATCH_PATH : SINGLE_PATH, failure.toString());
        return answerFailure(exchange, failure);
    }

    /** 500, when nothing was answered yet (else the connection just closes). */
    private static int answerFailure(Exchange exchange, Throwable failure) {
        if (exchange.response().isCommitted()) {
            exchange.callback().failed(failure);
            return exchange.response().getStatus();
        }
        return respond(exchange, 500, error("internal error; see the ingest log"));
    }

    /** The answer to a request refused before its body is read, or 0 when its body is to be read. */
    private int refuse(Exchange exchange, String path, boolean batch) {
        if (!path.equals(batch ? BATCH_PATH : SINGLE_PATH)) {
            return respond(exchange, 404, error("no such endpoint: " + path + " (use " + SINGLE_PATH + " or " + BATCH_PATH + ")"));
        }
        if (!"POST".equals(exchange.request().getMethod())) {
            exchange.setHeader("Allow", "POST");
            return respond(exchange, 405, error(path + " takes POST"));
        }
        BearerToken.Check auth = token.check(exchange.header(HttpHeader.AUTHORIZATION));
        if (auth == BearerToken.Check.MISSING) {
            exchange.setHeader("WWW-Authenticate", "Bearer realm=\"kclip\"");
            return respond(exchange, 401, error("missing bearer token (Authorization: Bearer <token>)"));
        }
        if (auth == BearerToken.Check.WRONG) {
            return respond(exchange, 403, error("wrong bearer token"));
        }
        if (exchange.request().getLength() > config.maxBodyBytes()) { // Jetty has refused a malformed Content-Length
            return tooLarge(exchange);
        }
        return 0;
    }

    private int tooLarge(Exchange exchange) {
        exchange.setHeader("Connection", "close");
        return respond(exchange, 413, error("request body is larger than the " + config.maxBodyBytes() + " bytes allowed"));
    }

    /** The answer to a request whose body has been read; {@code body} is null when it was larger than allowed. */
    private int answer(Exchange exchange, boolean batch, byte[] body) {
        try {
            if (body == null) {
                return tooLarge(exchange);
            }
            Parsed parsed;
            try {
                parsed = batch ? parseBatch(body) : parseSingle(exchange.header(HttpHeader.CONTENT_TYPE), body);
            } catch (IllegalArgumentException e) {
                return respond(exchange, 400, error(e.getMessage()));
            }
            if (parsed.pairs().isEmpty()) {
                ObjectNode answer = error(batch ? "no usable line in the batch" : "no pair in the request");
                answer.set("errors", errors(parsed));
                return respond(exchange, 400, answer);
            }
            return send(exchange, parsed, batch);
        } catch (RuntimeException e) {
            return fail(exchange, batch, e);
        }
    }

    /**
     * Reads a body of at most {@code maxBodyBytes} as its bytes arrive: between them no thread waits, so a client
     * that sends slowly or stops holds only its connection (until the idle timeout closes it). Gives null to
     * {@code done} when the body is larger than allowed, reading no further.
     */
    private final class BodyReader implements Runnable {
        private final Exchange exchange;
        private final Consumer<byte[]> done;
        private final Consumer<Throwable> failed;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        BodyReader(Exchange exchange, Consumer<byte[]> done, Consumer<Throwable> failed) {
            this.exchange = exchange;
            this.done = done;
            this.failed = failed;
        }

        /** Takes what has arrived; asks to be run again (on a server thread) when more does. */
        @Override
        public void run() {
            Request request = exchange.request();
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    failed.accept(chunk.getFailure());
                    return;
                }
                ByteBuffer bytes = chunk.getByteBuffer();
                boolean tooLarge = body.size() + (long) bytes.remaining() > config.maxBodyBytes();
                if (!tooLarge) {
                    byte[] copy = new byte[bytes.remaining()];
                    bytes.get(copy);
                    body.writeBytes(copy);
                }
                boolean last = chunk.isLast();
                chunk.release();
                if (tooLarge || last) {
                    done.accept(tooLarge ? null : body.toByteArray());
                    return;
                }
            }
        }
    }

    /** Pairs a request carries, and the lines that could not be used. */
    private record Parsed(List<ImageCaptionPair> pairs, List<Integer> pairLines, Map<Integer, String> errors) {
    }

    private Parsed parseSingle(String contentType, byte[] body) {
        String boundary = Multipart.boundary(contentType);
        if (boundary == null) {
            throw new IllegalArgumentException(SINGLE_PATH + " takes multipart/form-data with an \"image\" file and a "
                    + "\"caption\" (or use " + BATCH_PATH + " for JSON Lines)");
        }
        byte[] image = null;
        String caption = null;
        String label = null;
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Multipart.Part part : Multipart.parse(body, boundary)) {
            switch (part.name()) {
                case "image" -> image = part.data();
                case "caption" -> caption = text(part);
                case "label" -> label = text(part);
                default -> {
                    if (part.filename() == null) {
                        attributes.put(part.name(), text(part));
                    }
                }
            }
        }
        if (image == null) {
            throw new IllegalArgumentException("the form has no \"image\" file");
        }
        if (caption == null) {
            throw new IllegalArgumentException("the form has no \"caption\" field");
        }
        ImageCaptionPair pair = RawPairs.of(image, caption, label, attributes, SOURCE, Instant.now());
        return new Parsed(List.of(pair), List.of(1), Map.of());
    }

    private static String text(Multipart.Part part) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(part.data())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("form field \"" + part.name() + "\" is not valid UTF-8");
        }
    }

    private Parsed parseBatch(byte[] body) {
        String[] lines = new String(body, StandardCharsets.UTF_8).split("\n");
        List<ImageCaptionPair> pairs = new ArrayList<>();
        List<Integer> pairLines = new ArrayList<>();
        Map<Integer, String> errors = new LinkedHashMap<>();
        Instant now = Instant.now();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                pairs.add(batchLine(lines[i], now));
                pairLines.add(i + 1);
            } catch (IllegalArgumentException e) {
                errors.put(i + 1, e.getMessage());
            }
        }
        return new Parsed(pairs, pairLines, errors);
    }

    private static ImageCaptionPair batchLine(String line, Instant now) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (!node.path("image").isTextual()) {
            throw new IllegalArgumentException("no \"image\" (base64 text)");
        }
        if (!node.path("caption").isTextual()) {
            throw new IllegalArgumentException("no \"caption\" text");
        }
        byte[] image;
        try {
            image = Base64.getMimeDecoder().decode(node.get("image").asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"image\" is not valid base64");
        }
        JsonNode label = node.get("label");
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!List.of("image", "caption", "label").contains(field.getKey()) && field.getValue().isValueNode()
                    && !field.getValue().isNull()) {
                attributes.put(field.getKey(), field.getValue().asText());
            }
        }
        return RawPairs.of(image, node.get("caption").asText(),
                label != null && label.isTextual() ? label.asText() : null, attributes, SOURCE, now);
    }

    private int send(Exchange exchange, Parsed parsed, boolean batch) {
        List<byte[]> values = new ArrayList<>();
        long bytes = 0;
        for (ImageCaptionPair pair : parsed.pairs()) {
            byte[] value = RawPairProducer.encode(pair);
            if (value.length > RawPairProducer.MAX_RECORD_BYTES) {
                exchange.setHeader("Connection", "close");
                return respond(exchange, 413, error("a pair of " + value.length + " bytes is larger than Kafka accepts"));
            }
            values.add(value);
            bytes += value.length;
        }
        if (!reserve(bytes)) {
            exchange.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            return respond(exchange, 429, error("too many pairs are waiting for Kafka; retry after "
                    + RETRY_AFTER_SECONDS + " s"));
        }
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>();
        try {
            for (int i = 0; i < values.size(); i++) {
                acks.add(producer.send(parsed.pairs().get(i).getId(), values.get(i)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(config.ackTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            exchange.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            if (e.getCause() instanceof BufferExhaustedException) {
                return respond(exchange, 429, error("the producer cannot keep up; retry after " + RETRY_AFTER_SECONDS + " s"));
            }
            return respond(exchange, 503, error("Kafka did not take the pairs: " + e.getCause().getMessage()));
        } catch (TimeoutException e) {
            exchange.setHeader("Retry-After", RETRY_AFTER_SECONDS);
            return respond(exchange, 503, error("Kafka did not acknowledge within " + config.ackTimeout().toSeconds()
                    + " s; retrying is safe (pairs are de-duplicated by id)"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return respond(exchange, 503, error("shutting down"));
        } finally {
            long reserved = bytes;
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .whenComplete((ok, error) -> inFlightBytes.addAndGet(-reserved));
        }
        ObjectNode answer = JSON.createObjectNode();
        if (batch) {
            answer.put("accepted", parsed.pairs().size());
            ArrayNode ids = answer.putArray("ids");
            for (int i = 0; i < parsed.pairs().size(); i++) {
                ids.addObject().put("line", parsed.pairLines().get(i)).put("id", parsed.pairs().get(i).getId());
            }
            answer.set("errors", errors(parsed));
        } else {
            RecordMetadata metadata = acks.get(0).join();
            answer.put("id", parsed.pairs().get(0).getId())
                    .put("topic", metadata.topic()).put("partition", metadata.partition()).put("offset", metadata.offset());
        }
        return respond(exchange, 200, answer);
    }

    /** Takes {@code bytes} of the in-flight budget; a single request larger than the budget passes when nothing else waits. */
    private boolean reserve(long bytes) {
        while (true) {
            long current = inFlightBytes.get();
            if (current > 0 && current + bytes > config.maxInFlightBytes()) {
                return false;
            }
            if (inFlightBytes.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    private static ArrayNode errors(Parsed parsed) {
        ArrayNode errors = JSON.createArrayNode();
        parsed.errors().forEach((line, message) -> errors.addObject().put("line", line).put("error", message));
        return errors;
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    /** Answers; the write completes without the handler thread, so a client that does not read cannot hold it. */
    private static int respond(Exchange exchange, int status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an answer", e);
        }
        exchange.response().setStatus(status);
        exchange.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.response().write(true, ByteBuffer.wrap(bytes), exchange.callback());
        return status;
    }

    /** Stops serving (requests in progress get up to a second to be answered), then the producer. */
    @Override
    public void close() {
        server.close();
        producer.close();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "HTTP intake on %s://%s (%s)", scheme(), address(), config);
    }
}
