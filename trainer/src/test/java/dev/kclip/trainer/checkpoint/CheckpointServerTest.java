package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.http.BearerToken;
import dev.kclip.common.http.ListenSettings;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint server: the token, ranges, and nothing but the listed files of verified checkpoints. */
class CheckpointServerTest {

    private static final String TOKEN = "the checkpoint server's token";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;
    private Path store;
    private byte[] weights;
    private StoredCheckpoint v1;
    private CheckpointServer server;

    /** A checkpoint of {@code weights} (and a 3-byte optimizer file) in {@code store}. */
    static StoredCheckpoint write(CheckpointStore store, long step, byte[] weights) throws Exception {
        Map<String, CheckpointStore.FileContent> files = new LinkedHashMap<>();
        files.put(StoredCheckpoint.WEIGHTS_FILE, out -> out.write(weights));
        files.put(StoredCheckpoint.OPTIMIZER_FILE, out -> out.write(new byte[] {1, 2, 3}));
        return store.write(CheckpointStoreTest.manifest(step), files);
    }

    @BeforeEach
    void serve() throws Exception {
        store = dir.resolve("store");
        weights = new byte[300_000];
        new Random(7).nextBytes(weights);
        v1 = write(new CheckpointStore(store, 5), 10, weights);
        server = CheckpointServer.start(store, ListenSettings.loopback(0), BearerToken.of(TOKEN), 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> get(String path, String authorization, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (range != null) {
            request.header("Range", range);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return get(path, "Bearer " + TOKEN, null);
    }

    @Test
    void everyRequestNeedsTheToken() throws Exception {
        HttpResponse<byte[]> none = get("/v000001/weights.params", null, null);
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        assertFalse(new String(none.body(), StandardCharsets.ISO_8859_1).contains(new String(weights, 0, 64,
                StandardCharsets.ISO_8859_1)), "no bytes of the file without the token");
        assertEquals(403, get("/v000001/weights.params", "Bearer not-the-token", null).statusCode());
        assertEquals(401, get("/v000001/weights.params", "Basic " + TOKEN, null).statusCode());
        assertEquals(401, get("/nothing-here", null, null).statusCode(), "the token is asked before anything is said");

        HttpResponse<byte[]> granted = get("/v000001/weights.params");
        assertEquals(200, granted.statusCode());
        assertArrayEquals(weights, granted.body());
        assertEquals("\"" + v1.manifest().files().get(StoredCheckpoint.WEIGHTS_FILE).sha256() + "\"",
                granted.headers().firstValue("ETag").orElseThrow());
        assertArrayEquals(Files.readAllBytes(v1.directory().resolve(CheckpointStore.MANIFEST)),
                get("/v000001/checkpoint.json").body());
    }

    @Test
    void rangesAreServedAsAsked() throws Exception {
        String auth = "Bearer " + TOKEN;
        HttpResponse<byte[]> middle = get("/v000001/weights.params", auth, "bytes=1000-1999");
        assertEquals(206, middle.statusCode());
        assertEquals("bytes 1000-1999/300000", middle.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(weights, 1000, 2000), middle.body());

        HttpResponse<byte[]> rest = get("/v000001/weights.params", auth, "bytes=299000-");
        assertEquals(206, rest.statusCode());
        assertArrayEquals(Arrays.copyOfRange(weights, 299_000, 300_000), rest.body());

        HttpResponse<byte[]> last = get("/v000001/weights.params", auth, "bytes=-10");
        assertArrayEquals(Arrays.copyOfRange(weights, 299_990, 300_000), last.body());

        HttpResponse<byte[]> past = get("/v000001/weights.params", auth, "bytes=300000-");
        assertEquals(416, past.statusCode());
        assertEquals("bytes */300000", past.headers().firstValue("Content-Range").orElseThrow());

        HttpResponse<byte[]> clipped = get("/v000001/optimizer.safetensors", auth, "bytes=1-99");
        assertEquals("bytes 1-2/3", clipped.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(new byte[] {2, 3}, clipped.body());
    }

    @Test
    void onlyListedFilesOfVerifiedCheckpointsAreServed() throws Exception {
        Files.writeString(v1.directory().resolve("run.sh"), "planted, not in the manifest");
        Files.writeString(store.resolve("secret"), "beside the checkpoints");
        assertEquals(404, get("/v000001/run.sh").statusCode(), "not listed");
        assertEquals(404, get("/secret").statusCode());
        assertEquals(404, get("/v000002/weights.params").statusCode(), "no such version");
        assertEquals(404, get("/").statusCode());

        // a temporary directory of a write in progress, complete but not renamed yet
        Path temporary = store.resolve(".tmp-v000002-x");
        Files.createDirectory(temporary);
        for (String name : new String[] {CheckpointStore.MANIFEST, StoredCheckpoint.WEIGHTS_FILE}) {
            Files.copy(v1.directory().resolve(name), temporary.resolve(name));
        }
        assertEquals(404, get("/.tmp-v000002-x/weights.params").statusCode());

        // a link with a version's name, to a real checkpoint
        Files.createSymbolicLink(store.resolve("v000007"), v1.directory());
        assertEquals(404, get("/v000007/weights.params").statusCode(), "a link is never served");

        // a listed file replaced by a link to a file with the recorded bytes
        StoredCheckpoint v2 = write(new CheckpointStore(store, 5), 20, weights);
        Path linked = v2.directory().resolve(StoredCheckpoint.WEIGHTS_FILE);
        Path outside = Files.write(dir.resolve("outside"), weights);
        Files.delete(linked);
        Files.createSymbolicLink(linked, outside);
        assertEquals(404, get("/v000002/weights.params").statusCode(), "a checkpoint with a link does not verify");
        assertEquals(404, get("/v000002/checkpoint.json").statusCode(), "nor its manifest");

        // one byte changed after the checkpoint was written: nothing of it is served
        StoredCheckpoint v3 = write(new CheckpointStore(store, 5), 30, weights);
        byte[] altered = weights.clone();
        altered[12_345] ^= 1;
        Files.write(v3.directory().resolve(StoredCheckpoint.WEIGHTS_FILE), altered);
        assertEquals(404, get("/v000003/weights.params").statusCode(), "a damaged checkpoint is not served");
        assertEquals(200, get("/v000001/weights.params").statusCode(), "the good one still is");
    }

    @Test
    void pathsThatTryToLeaveTheStoreGetNothing() throws Exception {
        Files.writeString(dir.resolve("secret"), "SECRET-OUTSIDE-THE-STORE");
        for (String path : new String[] {"/v000001/../../secret", "/v000001/%2e%2e/%2e%2e/secret", "/v000001/..%2F..%2Fsecret",
            "/v000001/%2Fetc%2Fpasswd", "//etc/passwd", "/v000001/weights.params/../../../secret", "/v000001/./weights.params%00"}) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nConnection: close\r\n\r\n");
            int status = Integer.parseInt(answer.substring(9, 12));
            assertTrue(status == 400 || status == 404, path + " answered " + answer.lines().findFirst().orElse(""));
            assertFalse(answer.contains("SECRET-OUTSIDE"), path);
        }
    }

    @Test
    void headAnswersTheHeadersAlone() throws Exception {
        String answer = raw("HEAD /v000001/weights.params HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
        assertTrue(answer.contains("Content-Length: 300000"), answer);
        assertTrue(answer.endsWith("\r\n\r\n"), "no body");
        HttpResponse<byte[]> post = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/v000001/weights.params")).header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, post.statusCode());
    }

    /** Sends {@code request} as written (no client normalises its path) and reads the whole answer. */
    private String raw(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
