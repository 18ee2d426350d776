package dev.kclip.trainer.checkpoint;

import dev.kclip.common.http.BearerToken;
import dev.kclip.common.http.ListenSettings;
import dev.kclip.common.http.WebServer;
import dev.kclip.formats.files.FileNames;
import dev.kclip.schemas.PairIds;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a checkpoint store over HTTP(S) to followers on machines that share no disk with it:
 * {@code GET /v000012/checkpoint.json}, {@code /v000012/checkpoint.json.hmac} and every file that manifest lists, of
 * version directories that verify ({@link CheckpointStore#verify}, once per manifest, remembered by its SHA-256).
 * Anything else answers 404: other names, temporary directories, links, damaged checkpoints, paths that are not
 * {@code /vNNNNNN/NAME} with a plain name. Every request needs the bearer token (401 without one, 403 with a wrong
 * one). A single {@code Range: bytes=...} is answered 206 (416 when it starts past the end), so an interrupted
 * download resumes; {@code HEAD} answers the headers alone. With a rate limit, all downloads together send at most
 * that many bytes a second, so followers do not take the trainer machine's link.
 */
public final class CheckpointServer implements AutoCloseable {

    /** The environment variable with the bearer token, when no token file is given (server and follower). */
    public static final String TOKEN_ENV = "KCLIP_CHECKPOINTS_TOKEN";
    /** The port of {@code kclip checkpoints serve} when none is given. */
    public static final int DEFAULT_PORT = 8470;
    /** Downloads served at once. */
    static final int THREADS = 8;
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointServer.class);
    private static final Pattern PATH = Pattern.compile("/(v\\d{6,})/([^/]+)");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int CHUNK = 1 << 16;
    private static final int MAX_SIGNATURE_BYTES = 1024;

    private final Path root;
    private final BearerToken token;
    private final Pacer pacer;
    /** Version directory → SHA-256 of the manifest it verified with. */
    private final Map<Path, String> verified = new ConcurrentHashMap<>();
    private final WebServer server;

    private CheckpointServer(Path root, ListenSettings listen, BearerToken token, long maxBytesPerSecond) {
        this.root = root.toAbsolutePath();
        this.token = token;
        this.pacer = maxBytesPerSecond > 0 ? new Pacer(maxBytesPerSecond) : null;
        this.server = WebServer.start("kclip-checkpoints", listen, THREADS, new Endpoint());
    }

    /**
     * Starts serving the checkpoint store {@code root}.
     *
     * @param maxBytesPerSecond the most bytes all downloads send a second together, 0 for no limit
     * @throws java.io.UncheckedIOException when the address cannot be bound
     */
    public static CheckpointServer start(Path root, ListenSettings listen, BearerToken token, long maxBytesPerSecond) {
        if (token == null) {
            throw new IllegalArgumentException("serving checkpoints needs a bearer token (a token file or $" + TOKEN_ENV + ")");
        }
        if (maxBytesPerSecond < 0) {
            throw new IllegalArgumentException("the rate limit is 0 (none) or positive, not " + maxBytesPerSecond);
        }
        return new CheckpointServer(root, listen, token, maxBytesPerSecond);
    }

    public int port() {
        return server.port();
    }

    /** The address and port it is bound to. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** The store's URL for a client that reaches this machine as {@code host}: {@code http(s)://host:port/}. */
    public URI url(String host) {
        return URI.create(server.scheme() + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/");
    }

    @Override
    public void close() {
        server.close();
    }

    /** One request: what came and where its answer goes. */
    private record Exchange(Request request, Response response, Callback callback) {
        void header(HttpHeader name, String value) {
            response.getHeaders().put(name, value);
        }

        void fail(int status, String message) {
            Response.writeError(request, response, callback, status, message);
        }
    }

    private final class Endpoint extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Exchange exchange = new Exchange(request, response, callback);
            try {
                serve(exchange);
            } catch (IOException | RuntimeException e) {
                if (response.isCommitted()) {
                    LOG.debug("checkpoint download {} cut: {}", Request.getPathInContext(request), e.toString());
                    callback.failed(e);
                } else {
                    LOG.warn("cannot serve {}: {}", Request.getPathInContext(request), e.toString());
                    exchange.fail(500, "cannot read the checkpoint; see the server's log");
                }
            }
            return true;
        }
    }

    private void serve(Exchange exchange) throws IOException {
        Request request = exchange.request();
        BearerToken.Check auth = token.check(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        if (auth == BearerToken.Check.MISSING) {
            exchange.header(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"kclip-checkpoints\"");
            exchange.fail(401, "missing bearer token (Authorization: Bearer <token>)");
            return;
        }
        if (auth == BearerToken.Check.WRONG) {
            exchange.fail(403, "wrong bearer token");
            return;
        }
        boolean head = "HEAD".equals(request.getMethod());
        if (!head && !"GET".equals(request.getMethod())) {
            exchange.header(HttpHeader.ALLOW, "GET, HEAD");
            exchange.fail(405, "checkpoint files take GET or HEAD");
            return;
        }
        Matcher path = PATH.matcher(Request.getPathInContext(request));
        Served file = path.matches() && FileNames.isPlain(path.group(2)) ? find(path.group(1), path.group(2)) : null;
        if (file == null) {
            exchange.fail(404, "no such checkpoint file");
            return;
        }
        send(exchange, file, head);
    }

    /** What one request gets: a verified manifest's bytes, or a file it lists with its recorded size. */
    private record Served(byte[] bytes, Path file, long length, String contentType, String etag) {
    }

    /** The file {@code name} of version directory {@code version} when it is served, else null. */
    private Served find(String version, String name) throws IOException {
        Path dir = root.resolve(version);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        byte[] json;
        try {
            json = CheckpointStore.readRegular(dir.resolve(CheckpointStore.MANIFEST), CheckpointStore.MAX_MANIFEST_BYTES);
        } catch (NoSuchFileException e) {
            return null;
        }
        String sha = HexFormat.of().formatHex(PairIds.sha256().digest(json));
        if (!sha.equals(verified.get(dir))) {
            CheckpointStore.Verification v = CheckpointStore.verify(dir);
            if (!v.ok() || !sha.equals(v.manifestSha256())) {
                LOG.warn("not serving checkpoint {}: {}", dir, v.ok() ? "it changed while verified" : v.problem());
                return null;
            }
            verified.put(dir, sha);
        }
        if (name.equals(CheckpointStore.MANIFEST)) {
            return new Served(json, null, json.length, "application/json", sha);
        }
        if (name.equals(SigningKey.SIGNATURE_FILE)) {
            try {
                byte[] signature = CheckpointStore.readRegular(dir.resolve(name), MAX_SIGNATURE_BYTES);
                return new Served(signature, null, signature.length, "text/plain", null);
            } catch (NoSuchFileException e) {
                return null;
            }
        }
        CheckpointManifest.FileDigest digest = CheckpointManifest.fromJson(json).files().get(name);
        return digest == null ? null : new Served(null, dir.resolve(name), digest.bytes(), "application/octet-stream",
                digest.sha256());
    }

    /** Answers 200 with all of it, or 206 with the requested range, or 416 for a range past its end. */
    private void send(Exchange exchange, Served served, boolean head) throws IOException {
        long length = served.length();
        long start = 0;
        long end = length; // exclusive
        Matcher range = RANGE.matcher(String.valueOf(exchange.request().getHeaders().get(HttpHeader.RANGE)));
        boolean partial = range.matches() && !(range.group(1).isEmpty() && range.group(2).isEmpty());
        if (partial) {
            try {
                if (range.group(1).isEmpty()) { // the last N bytes
                    start = Math.max(0, length - Long.parseLong(range.group(2)));
                } else {
                    start = Long.parseLong(range.group(1));
                    end = range.group(2).isEmpty() ? length : Math.min(length, Long.parseLong(range.group(2)) + 1);
                }
            } catch (NumberFormatException e) {
                start = length; // beyond any file: unsatisfiable
            }
            if (start >= length || end <= start) {
                exchange.header(HttpHeader.CONTENT_RANGE, "bytes */" + length);
                exchange.fail(416, "the range starts past the file's " + length + " bytes");
                return;
            }
        }
        Response response = exchange.response();
        response.setStatus(partial ? 206 : 200);
        exchange.header(HttpHeader.CONTENT_TYPE, served.contentType());
        exchange.header(HttpHeader.ACCEPT_RANGES, "bytes");
        exchange.header(HttpHeader.CACHE_CONTROL, "no-store");
        if (served.etag() != null) {
            exchange.header(HttpHeader.ETAG, "\"" + served.etag() + "\"");
        }
        if (partial) {
            exchange.header(HttpHeader.CONTENT_RANGE, "bytes " + start + "-" + (end - 1) + "/" + length);
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, end - start);
        if (head) {
            exchange.callback().succeeded();
            return;
        }
        if (served.bytes() != null) {
            write(response, ByteBuffer.wrap(served.bytes(), (int) start, (int) (end - start)), true);
        } else {
            sendFile(response, served, start, end);
        }
        exchange.callback().succeeded();
    }

    /** Writes [start, end) of a listed file, which must still be a regular file of the size its manifest records. */
    private void sendFile(Response response, Served served, long start, long end) throws IOException {
        try (FileChannel channel = FileChannel.open(served.file(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (channel.size() != served.length()) {
                throw new IOException(served.file() + " has " + channel.size() + " bytes now, its manifest says "
                        + served.length());
            }
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            long position = start;
            while (position < end) {
                buffer.clear().limit((int) Math.min(CHUNK, end - position));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new IOException(served.file() + " ended at byte " + position);
                }
                if (pacer != null) {
                    pacer.await(n);
                }
                position += n;
                write(response, buffer.flip(), position == end);
            }
        }
    }

    private static void write(Response response, ByteBuffer bytes, boolean last) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(last, bytes, written);
            written.block();
        }
    }

    /** Spaces out the bytes of every download together to a rate. */
    private static final class Pacer {
        private final double nanosPerByte;
        private long nextFree = System.nanoTime();

        Pacer(long bytesPerSecond) {
            this.nanosPerByte = 1e9 / bytesPerSecond;
        }

        /** Waits until {@code bytes} more may be sent. */
        void await(int bytes) throws IOException {
            long slot;
            synchronized (this) {
                long now = System.nanoTime();
                slot = Math.max(nextFree, now);
                nextFree = slot + (long) (bytes * nanosPerByte);
            }
            long wait = slot - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while paced", e);
                }
            }
        }
    }
}
