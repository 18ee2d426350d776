package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.kclip.trainer.model.ModelConfig;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic versioned checkpoints, verification by SHA-256, pruning; manifests as hostile input (names that leave the
 * directory, links, files a loader would open unlisted, signatures).
 */
class CheckpointStoreTest {

    static CheckpointManifest manifest(long step) {
        return CheckpointManifest.builder().runId("run").step(step).counts(step * 10, step * 12, 0, 0)
                .offsets(Map.of("kclip.train.examples-0", step * 10)).model(ModelConfig.tiny().withData(4, 3))
                .training(JsonNodeFactory.instance.objectNode()).losses(Map.of("total", 1.5)).teacherModelId("onnx-minilm")
                .concepts(7, List.of(10L, 11L, 12L)).optimizer(step, 1.0).createdTime("2026-01-01T00:00:00Z").build();
    }

    static StoredCheckpoint write(CheckpointStore store, long step, String weights) throws Exception {
        Map<String, CheckpointStore.FileContent> files = new LinkedHashMap<>();
        files.put("weights.params", out -> out.write(weights.getBytes(StandardCharsets.UTF_8)));
        files.put("optimizer.safetensors", out -> out.write(new byte[] {1, 2, 3}));
        return store.write(manifest(step), files);
    }

    @Test
    void versionsAreNumberedVerifiedAndPrunedToTheNewest(@TempDir Path root) throws Exception {
        CheckpointStore store = new CheckpointStore(root, 2);
        write(store, 10, "first");
        write(store, 20, "second");
        StoredCheckpoint third = write(store, 30, "third");
        assertEquals(3, third.version());
        assertEquals(List.of(root.resolve("v000003"), root.resolve("v000002")), store.versionDirectories());
        assertFalse(Files.exists(root.resolve("v000001")), "only the newest two are kept");
        CheckpointManifest read = CheckpointManifest.fromJson(Files.readAllBytes(third.directory().resolve(CheckpointStore.MANIFEST)));
        assertEquals(30, read.step());
        assertEquals(CheckpointStore.sha256(third.file("weights.params")), read.files().get("weights.params").sha256());
        assertEquals(5, read.files().get("weights.params").bytes());
        assertEquals(third.manifestSha256(), CheckpointStore.verify(third.directory()).manifestSha256());
        assertEquals(3, store.newestVerified().orElseThrow().version());
    }

    @Test
    void aTruncatedWeightsFileIsDetectedAndThePreviousCheckpointUsed(@TempDir Path root) throws Exception {
        CheckpointStore store = new CheckpointStore(root, 5);
        write(store, 10, "weights of step ten");
        StoredCheckpoint newest = write(store, 20, "weights of step twenty");
        try (FileChannel channel = FileChannel.open(newest.file("weights.params"), StandardOpenOption.WRITE)) {
            channel.truncate(7);
        }
        CheckpointStore.Verification v = CheckpointStore.verify(newest.directory());
        assertFalse(v.ok());
        assertTrue(v.problem().contains("weights.params has 7 bytes"), v.problem());
        assertEquals(1, store.newestVerified().orElseThrow().version());
        // same size, different bytes: caught by the hash
        StoredCheckpoint third = write(store, 30, "abcdef");
        Files.writeString(third.file("weights.params"), "abcdeX");
        assertTrue(CheckpointStore.verify(third.directory()).problem().contains("SHA-256"));
        assertEquals(1, store.newestVerified().orElseThrow().version());
    }

    @Test
    void leftoversOfAnInterruptedWriteAreNeverCheckpoints(@TempDir Path root) throws Exception {
        Path partial = root.resolve(".tmp-v000001-crashed");
        Files.createDirectories(partial);
        Files.writeString(partial.resolve("weights.params"), "half");
        Path noManifest = root.resolve("v000002");
        Files.createDirectories(noManifest);
        CheckpointStore store = new CheckpointStore(root, 3);
        assertFalse(Files.exists(partial), "temporary directories are removed on open");
        assertTrue(store.newestVerified().isEmpty(), "a version directory without a manifest does not verify");
        assertEquals(3, write(store, 5, "w").version(), "numbering never reuses a version");
    }

    /** Rewrites a checkpoint's manifest as someone with write access to the directory could. */
    static void rewriteManifest(Path dir, UnaryOperator<CheckpointManifest> change) throws IOException {
        Path file = dir.resolve(CheckpointStore.MANIFEST);
        Files.write(file, change.apply(CheckpointManifest.fromJson(Files.readAllBytes(file))).toJson());
    }

    /** The digest a tamperer would record for {@code file}. */
    static CheckpointManifest.FileDigest digest(Path file) throws IOException {
        return new CheckpointManifest.FileDigest(Files.size(file), CheckpointStore.sha256(file));
    }

    /** The manifest with {@code name} listed with the digest of {@code file}. */
    private static UnaryOperator<CheckpointManifest> listing(String name, Path file) throws IOException {
        CheckpointManifest.FileDigest d = digest(file);
        return m -> {
            Map<String, CheckpointManifest.FileDigest> files = new TreeMap<>(m.files());
            files.put(name, d);
            return m.withFiles(files);
        };
    }

    @Test
    void aManifestNamingAFileOutsideItsDirectoryNeverVerifies(@TempDir Path root) throws Exception {
        CheckpointStore store = new CheckpointStore(root.resolve("store"), 5);
        write(store, 10, "good weights");
        StoredCheckpoint newest = write(store, 20, "newer weights");
        Path outside = Files.writeString(root.resolve("store").resolve("x"), "not a checkpoint file");
        rewriteManifest(newest.directory(), listing("../x", outside));
        CheckpointStore.Verification parent = CheckpointStore.verify(newest.directory());
        assertFalse(parent.ok(), "../x resolves to a file whose digest matches: only the name is wrong");
        assertTrue(parent.problem().contains("'../x'") && parent.problem().contains("plain file name"), parent.problem());
        assertEquals(1, store.newestVerified().orElseThrow().version(), "the previous checkpoint is used");

        StoredCheckpoint third = write(store, 30, "third");
        Path passwd = Path.of("/etc/passwd");
        rewriteManifest(third.directory(), listing(passwd.toString(), passwd));
        CheckpointStore.Verification absolute = CheckpointStore.verify(third.directory());
        assertFalse(absolute.ok(), "an absolute name is refused though /etc/passwd has the recorded digest");
        assertTrue(absolute.problem().contains("'/etc/passwd'"), absolute.problem());
        StoredCheckpoint fourth = write(store, 35, "fourth");
        rewriteManifest(fourth.directory(), listing("weights\0.params", fourth.directory().resolve("weights.params")));
        CheckpointStore.Verification nul = CheckpointStore.verify(fourth.directory());
        assertFalse(nul.ok(), "a NUL in a name is a problem, not an exception out of verify");
        assertTrue(nul.problem().contains("'weights?.params'"), nul.problem());
        assertEquals(1, store.newestVerified().orElseThrow().version());
        assertThrows(IllegalArgumentException.class, () -> store.write(manifest(40),
                Map.of("../escape", out -> out.write(1))), "the writer refuses the same names");
    }

    @Test
    void aListedFileThatIsALinkToOutsideNeverVerifies(@TempDir Path root) throws Exception {
        CheckpointStore store = new CheckpointStore(root.resolve("store"), 5);
        StoredCheckpoint checkpoint = write(store, 10, "weights");
        Path elsewhere = Files.writeString(root.resolve("secret"), "weights"); // same bytes: the digest matches
        Path weights = checkpoint.directory().resolve(StoredCheckpoint.WEIGHTS_FILE);
        Files.delete(weights);
        Files.createSymbolicLink(weights, elsewhere);
        CheckpointStore.Verification v = CheckpointStore.verify(checkpoint.directory());
        assertFalse(v.ok(), "the link's target has the recorded size and SHA-256; a link is still never read");
        assertTrue(v.problem().contains("weights.params is not a regular file (a link"), v.problem());
    }

    @Test
    void aVersionDirectoryOrLatestLinkLeadingOutOfTheStoreIsRefused(@TempDir Path root) throws Exception {
        CheckpointStore elsewhere = new CheckpointStore(root.resolve("elsewhere"), 5);
        StoredCheckpoint foreign = write(elsewhere, 10, "foreign weights");
        Path storeRoot = root.resolve("store");
        CheckpointStore store = new CheckpointStore(storeRoot, 5);
        StoredCheckpoint own = write(store, 5, "own weights");
        Path planted = storeRoot.resolve(CheckpointStore.directoryName(2));
        Files.createSymbolicLink(planted, foreign.directory());
        assertEquals(List.of(planted, own.directory()), store.versionDirectories());
        assertTrue(CheckpointStore.verify(planted).problem().contains("it is a link"), "a verifying checkpoint, reached by a link");
        assertEquals(1, store.newestVerified().orElseThrow().version());
        assertEquals(3, store.nextVersion(), "numbering goes past the planted name");

        Path latest = storeRoot.resolve("latest");
        Files.createSymbolicLink(latest, own.directory().getFileName());
        assertEquals(own.directory(), CheckpointStore.resolveDirectory(latest), "a link to a version beside it");
        for (Path target : List.of(foreign.directory(), Path.of("..", "elsewhere", "v000001"), Path.of("v000002"))) {
            Files.delete(latest);
            Files.createSymbolicLink(latest, target);
            assertThrows(IOException.class, () -> CheckpointStore.resolveDirectory(latest), target.toString());
        }
    }

    @Test
    void loadersOpenOnlyFilesTheManifestLists(@TempDir Path root) throws Exception {
        CheckpointStore store = new CheckpointStore(root, 5);
        StoredCheckpoint full = write(store, 10, "weights");
        rewriteManifest(full.directory(), m -> {
            Map<String, CheckpointManifest.FileDigest> files = new TreeMap<>(m.files());
            files.remove(StoredCheckpoint.WEIGHTS_FILE);
            return m.withFiles(files);
        });
        StoredCheckpoint unlisted = CheckpointStore.verify(full.directory()).checkpoint();
        assertTrue(Files.exists(full.directory().resolve(StoredCheckpoint.WEIGHTS_FILE)), "the file is there, unlisted");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> unlisted.file(StoredCheckpoint.WEIGHTS_FILE));
        assertTrue(e.getMessage().contains("not listed in checkpoint.json"), e.getMessage());
        assertEquals(full.directory().resolve(StoredCheckpoint.OPTIMIZER_FILE), unlisted.file(StoredCheckpoint.OPTIMIZER_FILE));

        // a tokenizer file outside the checkpoint, no listed copy: refused; a bundled tokenizer needs no file
        Path tokenizer = Files.writeString(root.resolve("tokenizer.json"), "{}");
        StoredCheckpoint outside = write(store, 20, "w");
        rewriteManifest(outside.directory(), m -> m.toBuilder().model(m.model().withTokenizer(tokenizer.toString())).build());
        StoredCheckpoint named = CheckpointStore.verify(outside.directory()).checkpoint();
        assertThrows(NoSuchFileException.class, named::model);
        assertEquals(ModelConfig.DEFAULT_TOKENIZER, write(store, 30, "w").model().tokenizer());
        // a copy in the directory that the manifest does not list is not used either
        Files.writeString(outside.directory().resolve(StoredCheckpoint.TOKENIZER_FILE), "{}");
        assertThrows(NoSuchFileException.class, named::model);
    }

    @Test
    void aSignedStoreSignsEveryManifestAndAKeyedCheckRefusesUnsignedWrongAndAltered(@TempDir Path root) throws Exception {
        SigningKey key = SigningKey.of("a key of thirty-two bytes, ok...".getBytes(StandardCharsets.US_ASCII));
        SigningKey other = SigningKey.of("another key of thirty-two bytes!".getBytes(StandardCharsets.US_ASCII));
        CheckpointStore signed = new CheckpointStore(root.resolve("signed"), 5, key);
        StoredCheckpoint good = write(signed, 10, "weights");
        assertTrue(Files.isRegularFile(good.directory().resolve(SigningKey.SIGNATURE_FILE)));
        assertTrue(CheckpointStore.verify(good.directory(), key).ok());
        assertTrue(CheckpointStore.verify(good.directory()).ok(), "without a key, a signed checkpoint verifies as before");
        assertEquals(good.manifestSha256(), CheckpointStore.verify(good.directory()).manifestSha256(),
                "the manifest's bytes are unchanged by signing");

        CheckpointStore.Verification wrongKey = CheckpointStore.verify(good.directory(), other);
        assertFalse(wrongKey.ok());
        assertTrue(wrongKey.problem().contains("does not match"), wrongKey.problem());

        StoredCheckpoint altered = write(signed, 20, "weights of twenty");
        Files.writeString(altered.directory().resolve(StoredCheckpoint.WEIGHTS_FILE), "other weights, re-hashed");
        rewriteManifest(altered.directory(), listing(StoredCheckpoint.WEIGHTS_FILE,
                altered.directory().resolve(StoredCheckpoint.WEIGHTS_FILE)));
        assertTrue(CheckpointStore.verify(altered.directory()).ok(), "re-hashed: only the signature can tell");
        assertTrue(CheckpointStore.verify(altered.directory(), key).problem().contains("does not match"));

        StoredCheckpoint unsigned = write(new CheckpointStore(root.resolve("unsigned"), 5), 10, "weights");
        assertFalse(Files.exists(unsigned.directory().resolve(SigningKey.SIGNATURE_FILE)));
        assertTrue(CheckpointStore.verify(unsigned.directory(), key).problem().contains("not signed"));
        assertThrows(IllegalArgumentException.class, () -> SigningKey.of(new byte[8]), "a short key");
    }
}
