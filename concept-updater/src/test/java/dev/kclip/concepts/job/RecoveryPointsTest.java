package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryPointsTest {

    @TempDir
    Path dir;

    private Path metadata(String relative, long modified) throws Exception {
        Path file = dir.resolve(relative).resolve("_metadata");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
        Files.setLastModifiedTime(file, FileTime.fromMillis(modified));
        return file.getParent();
    }

    @Test
    void picksTheNewestSavepointOrRetainedCheckpoint() throws Exception {
        String checkpoints = dir.resolve("checkpoints").toUri().toString();
        String savepoints = dir.resolve("savepoints").toUri().toString();
        assertEquals(Optional.empty(), RecoveryPoints.newest(checkpoints, savepoints));

        metadata("savepoints/savepoint-aaaa", 1_000);
        Path checkpoint = metadata("checkpoints/0123abcd/chk-7", 2_000);
        Files.createDirectories(dir.resolve("checkpoints/0123abcd/shared"));
        assertEquals(Optional.of(checkpoint.toString()), RecoveryPoints.newest(checkpoints, savepoints));

        Path newer = metadata("savepoints/savepoint-bbbb", 3_000);
        assertEquals(Optional.of(newer.toString()), RecoveryPoints.newest(checkpoints, savepoints));
        // remote file systems are not searched
        assertEquals(Optional.empty(), RecoveryPoints.newest("s3://bucket/c", "hdfs://nn/s"));
    }
}
