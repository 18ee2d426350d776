package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryPointsTest {

    @TempDir
    Path dir;

    /** A recovery point whose _metadata is what Flink writes (no operator state), last modified at {@code modified}. */
    private Path metadata(String relative, long modified) throws Exception {
        Path file = dir.resolve(relative).resolve("_metadata");
        Files.createDirectories(file.getParent());
        Files.write(file, flinkMetadata(modified));
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified));
        return file.getParent();
    }

    private static byte[] flinkMetadata(long checkpointId) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Checkpoints.storeCheckpointMetadata(new CheckpointMetadata(checkpointId, List.of(), List.of()),
                new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private String checkpoints() {
        return dir.resolve("checkpoints").toUri().toString();
    }

    private String savepoints() {
        return dir.resolve("savepoints").toUri().toString();
    }

    @Test
    void picksTheNewestSavepointOrRetainedCheckpoint() throws Exception {
        assertEquals(Optional.empty(), RecoveryPoints.newest(checkpoints(), savepoints()));

        metadata("savepoints/savepoint-aaaa", 1_000);
        Path checkpoint = metadata("checkpoints/0123abcd/chk-7", 2_000);
        Files.createDirectories(dir.resolve("checkpoints/0123abcd/shared"));
        assertEquals(Optional.of(checkpoint.toString()), RecoveryPoints.newest(checkpoints(), savepoints()));

        Path newer = metadata("savepoints/savepoint-bbbb", 3_000);
        assertEquals(Optional.of(newer.toString()), RecoveryPoints.newest(checkpoints(), savepoints()));
        // remote file systems are not searched
        assertEquals(Optional.empty(), RecoveryPoints.newest("s3://bucket/c", "hdfs://nn/s"));
    }

    @Test
    void aCorruptNewestCheckpointFallsBackToTheOlderOne() throws Exception {
        Path older = metadata("checkpoints/0123abcd/chk-6", 1_000);
        Path newest = metadata("checkpoints/0123abcd/chk-7", 2_000);
        Path file = newest.resolve("_metadata");
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));   // a crash while Flink wrote it
        Files.setLastModifiedTime(file, FileTime.fromMillis(2_000));

        assertTrue(RecoveryPoints.unreadable(file).isPresent());
        assertEquals(Optional.empty(), RecoveryPoints.unreadable(older.resolve("_metadata")));
        assertEquals(Optional.of(older.toString()), RecoveryPoints.newest(checkpoints(), savepoints()));

        Files.write(older.resolve("_metadata"), new byte[0]);
        assertEquals(Optional.empty(), RecoveryPoints.newest(checkpoints(), savepoints()), "nothing readable is left");
    }

    @Test
    void pruningKeepsTheNewestCheckpointsAndSavepointsOfEveryRunAndThePointToRestore() throws Exception {
        metadata("checkpoints/aaaa/chk-1", 1_000);
        metadata("checkpoints/aaaa/chk-2", 2_000);
        Files.createDirectories(dir.resolve("checkpoints/aaaa/shared"));
        metadata("checkpoints/bbbb/chk-3", 3_000);
        metadata("checkpoints/bbbb/chk-4", 4_000);
        metadata("checkpoints/bbbb/chk-5", 5_000);
        Path protectedSavepoint = metadata("savepoints/savepoint-a", 1_500);
        metadata("savepoints/savepoint-b", 2_500);
        metadata("savepoints/savepoint-c", 3_500);
        metadata("savepoints/savepoint-d", 4_500);

        List<Path> deleted = RecoveryPoints.prune(checkpoints(), savepoints(), 2, protectedSavepoint.toString());

        assertEquals(Set.of("aaaa/chk-1", "aaaa/chk-2", "bbbb/chk-3", "savepoint-b"), deleted.stream()
                .map(p -> p.getParent().getFileName().toString().startsWith("savepoints") ? p.getFileName().toString()
                        : p.getParent().getFileName() + "/" + p.getFileName())
                .collect(Collectors.toSet()));
        assertFalse(Files.exists(dir.resolve("checkpoints/aaaa")), "a run left without checkpoints goes whole");
        assertTrue(Files.exists(dir.resolve("checkpoints/bbbb/chk-4/_metadata")));
        assertTrue(Files.exists(dir.resolve("checkpoints/bbbb/chk-5/_metadata")));
        assertTrue(Files.exists(protectedSavepoint.resolve("_metadata")));
        assertTrue(Files.exists(dir.resolve("savepoints/savepoint-c/_metadata")));
        assertTrue(Files.exists(dir.resolve("savepoints/savepoint-d/_metadata")));
        assertEquals(List.of(), RecoveryPoints.prune(checkpoints(), savepoints(), 2, protectedSavepoint.toString()));
    }
}
