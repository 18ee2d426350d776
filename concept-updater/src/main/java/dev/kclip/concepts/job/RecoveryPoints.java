package dev.kclip.concepts.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the newest state a job can resume from: a savepoint ({@code <savepointDir>/savepoint-…/_metadata}) or a
 * retained checkpoint ({@code <checkpointDir>/<job id>/chk-N/_metadata}). Only local (file:) directories are
 * searched; for other file systems pass the path explicitly.
 */
public final class RecoveryPoints {

    private RecoveryPoints() {
    }

    /** The directory of the newest savepoint or retained checkpoint under either directory, as a path string. */
    public static Optional<String> newest(String checkpointDir, String savepointDir) {
        return Stream.of(checkpointDir, savepointDir)
                .map(RecoveryPoints::localPath)
                .flatMap(Optional::stream)
                .flatMap(RecoveryPoints::metadataFiles)
                .max(Comparator.comparing(RecoveryPoints::modified))
                .map(metadata -> metadata.getParent().toString());
    }

    private static Optional<Path> localPath(String uri) {
        URI parsed = URI.create(uri);
        if (parsed.getScheme() != null && !"file".equals(parsed.getScheme())) {
            return Optional.empty();
        }
        Path path = parsed.getScheme() == null ? Path.of(uri) : Path.of(parsed);
        return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
    }

    private static Stream<Path> metadataFiles(Path root) {
        // savepoint-*/_metadata is depth 2, <job>/chk-*/_metadata depth 3
        try (Stream<Path> files = Files.find(root, 3, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().equals("_metadata"))) {
            return files.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search " + root + " for savepoints: " + e.getMessage(), e);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
