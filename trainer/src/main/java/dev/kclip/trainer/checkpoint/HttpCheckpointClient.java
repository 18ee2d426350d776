package dev.kclip.trainer.checkpoint;

import dev.kclip.common.http.BearerToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * How a follower downloads checkpoints a {@link CheckpointServer} announces at {@code http(s)://} locations: with the
 * bearer token, trusting the given TLS context (the JDK's authorities when null), never following a redirect (the
 * token goes to the announced server only).
 */
public final class HttpCheckpointClient {

    /** The longest wait for a connection, for a response's headers, or between two reads of a body. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    private final BearerToken token;
    private final HttpClient client;

    /**
     * @param token the server's bearer token, or null to send none (the server then refuses)
     * @param tls the TLS context to trust the server with, or null for the JDK's default
     */
    public HttpCheckpointClient(BearerToken token, SSLContext tls) {
        this.token = token;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(TIMEOUT);
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.client = builder.build();
    }

    /** A client sending no token, trusting the JDK's authorities. */
    static HttpCheckpointClient anonymous() {
        return new HttpCheckpointClient(null, null);
    }

    /** The checkpoint at {@code directory}, an {@code http(s)://.../vNNNNNN/} URL. */
    CheckpointSource source(URI directory) {
        URI base = directory.getPath().endsWith("/") ? directory : URI.create(directory + "/");
        return new Source(base);
    }

    private final class Source implements CheckpointSource {
        private final URI base;

        Source(URI base) {
            this.base = base;
        }

        @Override
        public String describe() {
            return base.toString();
        }

        @Override
        public byte[] read(String name, int limit) throws IOException {
            HttpResponse<InputStream> response = get(name, 0);
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw failure(name, response.statusCode());
                }
                byte[] bytes = in.readNBytes(limit + 1);
                if (bytes.length > limit) {
                    throw new IOException(name + " at " + base + " is larger than the " + limit + " bytes allowed");
                }
                return bytes;
            }
        }

        @Override
        public Opened open(String name, long from) throws IOException {
            HttpResponse<InputStream> response = get(name, from);
            int status = response.statusCode();
            if (status == 200) {
                return new Opened(0, response.body());
            }
            if (status == 206) {
                Matcher range = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (range.matches() && Long.parseLong(range.group(1)) == from) {
                    return new Opened(from, response.body());
                }
            }
            response.body().close();
            throw status == 206 ? new IOException(name + " at " + base + ": the server sent another range than bytes "
                    + from + "-") : failure(name, status);
        }

        private HttpResponse<InputStream> get(String name, long from) throws IOException {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(encode(name))).timeout(TIMEOUT).GET();
            if (token != null) {
                request.header("Authorization", token.header());
            }
            if (from > 0) {
                request.header("Range", "bytes=" + from + "-");
            }
            try {
                return client.send(request.build(), info -> HttpResponse.BodySubscribers.mapping(
                        HttpResponse.BodySubscribers.ofInputStream(), in -> StallGuard.guard(in, TIMEOUT)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while downloading " + name, e);
            }
        }

        private IOException failure(String name, int status) {
            return switch (status) {
                case 404 -> new NoSuchFileException(base + name, null, "the server has no such checkpoint file (404)");
                case 401, 403 -> new IOException(base + " refused the bearer token (HTTP " + status + "): give the"
                        + " server's token with --token-file FILE or $" + CheckpointServer.TOKEN_ENV);
                default -> new IOException(base + name + " answered HTTP " + status);
            };
        }
    }

    /** A plain file name as one path segment: every byte but the unreserved ones percent-encoded. */
    static String encode(String name) {
        StringBuilder s = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                s.append(c);
            } else {
                s.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return s.toString();
    }
}
