package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.http.BearerToken;
import dev.kclip.common.http.ListenSettings;
import dev.kclip.common.http.TlsKeystore;
import dev.kclip.common.http.TlsTruststore;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.testsupport.SelfSignedKeystore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following over HTTP: cut connections resume, corrupt bytes start the file again, staging is never a checkpoint. */
class HttpFollowTest {

    private static final SigningKey KEY = SigningKey.of("the trainer's thirty-two byte key".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static List<String> entries(Path target) throws IOException {
        try (Stream<Path> files = Files.list(target)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Path latest(Path target) throws IOException {
        return CheckpointStore.resolveDirectory(target.resolve(CheckpointFollower.LATEST));
    }

    @Test
    void aCutConnectionResumesFromTheBytesAlreadyThereAndNothingIsVisibleMeanwhile() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 5);
        byte[] weights = randomBytes(400_000, 1);
        StoredCheckpoint v1 = CheckpointServerTest.write(store, 10, weights);
        Path target = dir.resolve("follow");
        try (FaultyServer server = new FaultyServer(store.root(), target)) {
            server.cutAfter(StoredCheckpoint.WEIGHTS_FILE, 100_000);
            CheckpointFollower follower = new CheckpointFollower(target);
            assertTrue(follower.accept(CheckpointEvents.of(v1, server.url())));

            assertEquals(List.of("weights.params", "weights.params bytes=100000-"),
                    server.requests(StoredCheckpoint.WEIGHTS_FILE), "the second request asks for what was missing");
            for (List<String> seen : server.targetDuringRequests()) {
                assertTrue(seen.stream().noneMatch(name -> name.equals("v000001") || name.equals("latest")),
                        "while downloading, the target shows no checkpoint: " + seen);
            }
        }
        assertEquals(v1.manifestSha256(), CheckpointStore.verify(latest(target)).manifestSha256());
        assertEquals(CheckpointStore.sha256(v1.directory().resolve(StoredCheckpoint.WEIGHTS_FILE)),
                CheckpointStore.sha256(latest(target).resolve(StoredCheckpoint.WEIGHTS_FILE)));
        assertEquals(List.of("latest", "v000001"), entries(target), "no staging left");
    }

    @Test
    void aFetchThatFailsEveryTryStaysStagedAndIsResumedWhenTriedAgain() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 5);
        StoredCheckpoint v1 = CheckpointServerTest.write(store, 10, randomBytes(200_000, 7));
        Path target = dir.resolve("follow");
        try (FaultyServer server = new FaultyServer(store.root(), target)) {
            for (int i = 1; i <= CheckpointFollower.FILE_ATTEMPTS; i++) {
                server.cutAfter(StoredCheckpoint.WEIGHTS_FILE, 10_000);
            }
            CheckpointFollower follower = new CheckpointFollower(target);
            assertFalse(follower.accept(CheckpointEvents.of(v1, server.url())), "cut off at every try");
            assertFalse(Files.exists(target.resolve("latest")));
            assertEquals(1, entries(target).size(), "only the staging directory: " + entries(target));
            assertTrue(entries(target).get(0).startsWith(CheckpointFollower.STAGING_PREFIX + "v000001-"));

            assertTrue(follower.retryUnfinished());
            assertEquals("weights.params bytes=40000-", server.requests(StoredCheckpoint.WEIGHTS_FILE).get(
                    CheckpointFollower.FILE_ATTEMPTS), "the retry resumes after the four cut-off parts");
            assertFalse(follower.retryUnfinished(), "nothing left to retry");
        }
        assertEquals(List.of("latest", "v000001"), entries(target));
        assertTrue(CheckpointStore.verify(latest(target)).ok());
    }

    @Test
    void aCorruptByteStartsTheFileAgainAndACheckpointThatStaysCorruptIsRefused(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 5);
        StoredCheckpoint v1 = CheckpointServerTest.write(store, 10, randomBytes(200_000, 2));
        Path target = dir.resolve("follow");
        try (FaultyServer server = new FaultyServer(store.root(), target)) {
            server.corrupt(StoredCheckpoint.WEIGHTS_FILE, 1);
            CheckpointFollower follower = new CheckpointFollower(target);
            assertTrue(follower.accept(CheckpointEvents.of(v1, server.url())));
            assertEquals(List.of("weights.params", "weights.params"), server.requests(StoredCheckpoint.WEIGHTS_FILE),
                    "fetched again from the start");
            assertTrue(CheckpointStore.verify(latest(target)).ok());

            StoredCheckpoint v2 = CheckpointServerTest.write(store, 20, randomBytes(200_000, 3));
            server.corrupt(StoredCheckpoint.WEIGHTS_FILE, CheckpointFollower.FILE_ATTEMPTS);
            assertFalse(follower.accept(CheckpointEvents.of(v2, server.url())), "corrupt at every try");
            assertEquals(1, follower.installedVersion());
            assertEquals(List.of("latest", "v000001"), entries(target), "nothing of version 2 is left");
            assertEquals("v000001", latest(target).getFileName().toString());
        }
    }

    @Test
    void aStagingDirectoryLeftByACrashIsResumedAndOlderLeftoversRemoved() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 5);
        byte[] weights = randomBytes(300_000, 4);
        StoredCheckpoint v1 = CheckpointServerTest.write(store, 10, weights);
        Path target = Files.createDirectories(dir.resolve("follow"));
        Path staged = Files.createDirectory(target.resolve(CheckpointFollower.STAGING_PREFIX + "v000001-"
                + v1.manifestSha256().substring(0, 16)));
        Files.write(staged.resolve(StoredCheckpoint.WEIGHTS_FILE), java.util.Arrays.copyOf(weights, 150_000));
        Files.createDirectory(target.resolve(CheckpointFollower.STAGING_PREFIX + "v000000-0123456789abcdef"));
        Files.createDirectory(target.resolve(".copy-v000009-left-by-an-older-follower"));

        CheckpointFollower follower = new CheckpointFollower(target);
        assertFalse(Files.exists(target.resolve(".copy-v000009-left-by-an-older-follower")), "removed at start");
        try (FaultyServer server = new FaultyServer(store.root(), target)) {
            assertTrue(follower.accept(CheckpointEvents.of(v1, server.url())));
            assertEquals(List.of("weights.params bytes=150000-"), server.requests(StoredCheckpoint.WEIGHTS_FILE));
        }
        assertEquals(List.of("latest", "v000001"), entries(target));
        assertEquals(CheckpointStore.sha256(v1.directory().resolve(StoredCheckpoint.WEIGHTS_FILE)),
                CheckpointStore.sha256(latest(target).resolve(StoredCheckpoint.WEIGHTS_FILE)));
    }

    @Test
    void theRealServerWithTokenSignatureAndSourceChecks() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 5, KEY);
        StoredCheckpoint v1 = CheckpointServerTest.write(store, 10, randomBytes(100_000, 5));
        BearerToken token = BearerToken.of("s3cret-token");
        try (CheckpointServer server = CheckpointServer.start(store.root(), ListenSettings.loopback(0), token, 0)) {
            URI url = server.url("127.0.0.1");
            CheckpointEvent event = CheckpointEvents.of(v1, url);
            assertEquals(url + "v000001/", event.getLocation());
            CheckpointFollower.Policy signed = new CheckpointFollower.Policy(null, url, 10, KEY);

            Path noToken = dir.resolve("no-token");
            assertFalse(new CheckpointFollower(noToken, signed).accept(event), "401 without the token");
            assertFalse(Files.exists(noToken.resolve("latest")));

            HttpCheckpointClient client = new HttpCheckpointClient(token, null);
            Path elsewhere = dir.resolve("elsewhere");
            CheckpointFollower.Policy otherServer = new CheckpointFollower.Policy(null,
                    URI.create("http://127.0.0.1:1/"), 10, KEY);
            assertFalse(new CheckpointFollower(elsewhere, otherServer, client).accept(event), "not on --from");

            CheckpointFollower.Policy otherKey = new CheckpointFollower.Policy(null, url, 10,
                    SigningKey.of("another key of thirty-two bytes!".getBytes(StandardCharsets.US_ASCII)));
            assertFalse(new CheckpointFollower(dir.resolve("other-key"), otherKey, client).accept(event), "signature");

            CheckpointEvent renamed = CheckpointEvent.newBuilder(event).setLocation(url + "v000002/").build();
            Path target = dir.resolve("follow");
            CheckpointFollower follower = new CheckpointFollower(target, signed, client);
            assertFalse(follower.accept(renamed), "the location names another version");
            assertTrue(follower.accept(event));
            assertTrue(CheckpointStore.verify(latest(target), KEY).ok(), "installed with its signature");
        }
    }

    @Test
    void overHttpsASelfSignedServerIsReachedThroughTheTruststoreOnly() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 5);
        StoredCheckpoint v1 = CheckpointServerTest.write(store, 10, randomBytes(50_000, 6));
        TlsKeystore keystore = SelfSignedKeystore.create(dir);
        BearerToken token = BearerToken.of("tls-token");
        try (CheckpointServer server = CheckpointServer.start(store.root(), ListenSettings.loopback(0).withTls(keystore),
                token, 0)) {
            URI url = server.url("localhost");
            assertEquals("https", url.getScheme());
            CheckpointEvent event = CheckpointEvents.of(v1, url);
            assertFalse(new CheckpointFollower(dir.resolve("untrusting"), CheckpointFollower.Policy.DEFAULT,
                    new HttpCheckpointClient(token, null)).accept(event), "the JDK's authorities do not know it");
            Path target = dir.resolve("follow");
            TlsTruststore trust = new TlsTruststore(keystore.file(), keystore.password());
            assertTrue(new CheckpointFollower(target, CheckpointFollower.Policy.DEFAULT,
                    new HttpCheckpointClient(token, trust.sslContext())).accept(event));
            assertEquals(v1.manifestSha256(), CheckpointStore.verify(latest(target)).manifestSha256());
        }
    }

    /**
     * An HTTP server of a store's files that honours {@code Range: bytes=N-} and misbehaves on cue: a response cut
     * after so many bytes, or one with a byte flipped. It records every request and what the follower's target held
     * at that moment.
     */
    private static final class FaultyServer implements AutoCloseable {
        private static final Pattern REQUEST = Pattern.compile("GET /(v\\d+)/(\\S+) HTTP/1.1");
        private final Path root;
        private final Path target;
        private final ServerSocket socket;
        private final Thread thread;
        private final Map<String, Deque<Integer>> cuts = new ConcurrentHashMap<>();
        private final Map<String, Integer> corrupt = new ConcurrentHashMap<>();
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final List<List<String>> targetSeen = new CopyOnWriteArrayList<>();

        FaultyServer(Path root, Path target) throws IOException {
            this.root = root;
            this.target = target;
            this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            this.thread = new Thread(this::serve, "faulty-server");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
        }

        void cutAfter(String name, int bytes) {
            cuts.computeIfAbsent(name, n -> new ArrayDeque<>()).add(bytes);
        }

        void corrupt(String name, int times) {
            corrupt.put(name, times);
        }

        List<String> requests(String name) {
            return requests.stream().filter(r -> r.startsWith(name)).toList();
        }

        List<List<String>> targetDuringRequests() {
            return targetSeen;
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    answer(connection);
                } catch (IOException e) {
                    // closed, or the client went away
                }
            }
        }

        private void answer(Socket connection) throws IOException {
            BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
            Matcher request = REQUEST.matcher(String.valueOf(in.readLine()));
            long from = 0;
            String range = null;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                if (line.regionMatches(true, 0, "Range: bytes=", 0, 13)) {
                    range = line.substring(7).trim();
                    from = Long.parseLong(range.substring(6, range.length() - 1));
                }
            }
            OutputStream out = connection.getOutputStream();
            Path file = request.matches() ? root.resolve(request.group(1)).resolve(request.group(2)) : null;
            if (file == null || !Files.isRegularFile(file)) {
                out.write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            String name = request.group(2);
            requests.add(name + (range == null ? "" : " " + range));
            targetSeen.add(Files.isDirectory(target) ? entries(target) : List.of());
            byte[] all = Files.readAllBytes(file);
            byte[] body = java.util.Arrays.copyOfRange(all, (int) from, all.length);
            if (corrupt.merge(name, -1, Integer::sum) >= 0) {
                body[body.length / 2] ^= 0x40;
            }
            String head = from > 0
                    ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + from + "-" + (all.length - 1) + "/" + all.length + "\r\n"
                    : "HTTP/1.1 200 OK\r\n";
            out.write((head + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            Deque<Integer> cut = cuts.get(name);
            Integer after = cut == null ? null : cut.poll();
            out.write(body, 0, after == null ? body.length : Math.min(after, body.length));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
