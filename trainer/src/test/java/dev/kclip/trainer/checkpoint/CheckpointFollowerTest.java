package dev.kclip.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.CheckpointEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The follower against forged events and planted files: versions, locations, links, signatures. */
class CheckpointFollowerTest {

    private static final SigningKey KEY = SigningKey.of("the trainer's thirty-two byte key".getBytes(StandardCharsets.US_ASCII));

    private static StoredCheckpoint write(CheckpointStore store, long step) throws Exception {
        return CheckpointStoreTest.write(store, step, "weights of step " + step);
    }

    private static CheckpointEvent event(StoredCheckpoint checkpoint) {
        return CheckpointEvents.of(checkpoint);
    }

    private static Path latest(Path target) throws Exception {
        return CheckpointStore.resolveDirectory(target.resolve(CheckpointFollower.LATEST));
    }

    @Test
    void versionsThatGoBackwardsOrJumpAbsurdlyAreRefusedAndDoNotBlockTheNextRealOne(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 10);
        StoredCheckpoint v1 = write(store, 10);
        StoredCheckpoint v2 = write(store, 20);
        Path target = dir.resolve("follow");
        CheckpointFollower follower = new CheckpointFollower(target, new CheckpointFollower.Policy(null, 100, null));
        assertTrue(follower.accept(event(v2)));
        assertFalse(follower.accept(event(v1)), "backwards");
        assertFalse(follower.accept(event(v2)), "the same again");

        // a forged version far ahead, pointing at a real checkpoint with its real manifest digest
        CheckpointEvent absurd = CheckpointEvent.newBuilder(event(v2)).setVersion(2 + 101).build();
        assertFalse(follower.accept(absurd), "101 versions ahead, 100 allowed");
        CheckpointEvent relabelled = CheckpointEvent.newBuilder(event(v2)).setVersion(3).build();
        assertFalse(follower.accept(relabelled), "version 3 announced, the directory and manifest are version 2's");
        assertEquals(2, follower.installedVersion());

        StoredCheckpoint v3 = write(store, 30);
        assertTrue(follower.accept(event(v3)), "the real next version still installs");
        assertEquals(v3.manifestSha256(), CheckpointStore.verify(latest(target)).manifestSha256());

        CheckpointFollower restarted = new CheckpointFollower(target);
        assertEquals(3, restarted.installedVersion(), "read back from latest");
        assertFalse(restarted.accept(event(v2)), "a restarted follower does not go backwards either");
        assertEquals(CheckpointStore.directoryName(3), latest(target).getFileName().toString());
    }

    @Test
    void onlyListedRegularFilesAreCopiedAndLinksAreNeverFollowed(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir.resolve("store"), 10);
        StoredCheckpoint v1 = write(store, 10);
        Files.writeString(v1.directory().resolve("run.sh"), "planted, not in the manifest");
        Path target = dir.resolve("follow");
        CheckpointFollower follower = new CheckpointFollower(target);
        assertTrue(follower.accept(event(v1)));
        try (Stream<Path> files = Files.list(latest(target))) {
            assertEquals(List.of(CheckpointStore.MANIFEST, StoredCheckpoint.OPTIMIZER_FILE, StoredCheckpoint.WEIGHTS_FILE),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "the planted file stays behind");
        }

        // a listed file replaced by a link to a file outside with the very bytes the manifest records
        StoredCheckpoint v2 = write(store, 20);
        Path weights = v2.directory().resolve(StoredCheckpoint.WEIGHTS_FILE);
        Path secret = Files.write(dir.resolve("secret"), Files.readAllBytes(weights));
        Files.delete(weights);
        Files.createSymbolicLink(weights, secret);
        assertFalse(follower.accept(event(v2)), "a link in the source is not followed");
        assertEquals(1, follower.installedVersion());

        // the announced location a link to a real version directory elsewhere
        StoredCheckpoint v3 = write(store, 30);
        Path linkDir = Files.createDirectories(dir.resolve("links")).resolve(CheckpointStore.directoryName(3));
        Files.createSymbolicLink(linkDir, v3.directory());
        CheckpointEvent viaLink = CheckpointEvent.newBuilder(event(v3)).setLocation(linkDir.toUri().toString()).build();
        assertFalse(follower.accept(viaLink));
        assertEquals(1, follower.installedVersion());
    }

    @Test
    void withASourceRootACheckpointElsewhereIsRefused(@TempDir Path dir) throws Exception {
        StoredCheckpoint own = write(new CheckpointStore(dir.resolve("store"), 10), 10);
        StoredCheckpoint planted = write(new CheckpointStore(dir.resolve("tmp-upload"), 10), 99);
        CheckpointFollower follower = new CheckpointFollower(dir.resolve("follow"),
                new CheckpointFollower.Policy(dir.resolve("store"), CheckpointFollower.DEFAULT_MAX_VERSION_JUMP, null));
        assertFalse(follower.accept(event(planted)), "a valid checkpoint, outside --from");
        assertTrue(follower.accept(event(own)));
    }

    @Test
    void aKeyedFollowerInstallsOnlyManifestsSignedWithItsKey(@TempDir Path dir) throws Exception {
        StoredCheckpoint signed = write(new CheckpointStore(dir.resolve("signed"), 10, KEY), 10);
        StoredCheckpoint unsigned = write(new CheckpointStore(dir.resolve("unsigned"), 10), 10);
        SigningKey otherKey = SigningKey.of("some other key, thirty-two bytes".getBytes(StandardCharsets.US_ASCII));
        StoredCheckpoint wronglySigned = write(new CheckpointStore(dir.resolve("wrong"), 10, otherKey), 10);
        CheckpointFollower.Policy keyed = new CheckpointFollower.Policy(null, CheckpointFollower.DEFAULT_MAX_VERSION_JUMP, KEY);

        CheckpointFollower follower = new CheckpointFollower(dir.resolve("follow"), keyed);
        assertFalse(follower.accept(event(unsigned)), "missing signature");
        assertFalse(follower.accept(event(wronglySigned)), "wrong key");
        assertEquals(-1, follower.installedVersion());
        assertTrue(follower.accept(event(signed)));
        assertTrue(Files.isRegularFile(latest(dir.resolve("follow")).resolve(SigningKey.SIGNATURE_FILE)),
                "the copy keeps its signature, so a restarted keyed follower trusts it");
        assertEquals(1, new CheckpointFollower(dir.resolve("follow"), keyed).installedVersion());

        CheckpointFollower keyless = new CheckpointFollower(dir.resolve("keyless"));
        assertTrue(keyless.accept(event(unsigned)), "without a key, unsigned checkpoints install as before");
    }
}
