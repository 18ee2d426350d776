package dev.kclip.concepts.job;

import dev.kclip.common.files.Directories;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the newest state a job can resume from: a savepoint ({@code <savepointDir>/savepoint-…/_metadata}) or a
 * retained checkpoint ({@code <checkpointDir>/<job id>/chk-N/_metadata}), skipping one whose {@code _metadata}
 * Flink cannot read (truncated by a crash or a full disk while written) for the next older one; and prunes old
 * ones so the directories do not grow with every run. Only local (file:) directories are searched; for other file
 * systems pass the path explicitly.
 */
public final class RecoveryPoints {

    private static final Logger LOG = LoggerFactory.getLogger(RecoveryPoints.class);
    private static final String METADATA = "_metadata";

    private RecoveryPoints() {
    }

    /**
     * The directory of the newest readable savepoint or retained checkpoint under either directory, as a path
     * string; unreadable newer ones are skipped with a warning.
     */
    public static Optional<String> newest(String checkpointDir, String savepointDir) {
        List<Path> candidates = Stream.concat(metadataFiles(checkpointDir).stream(), metadataFiles(savepointDir).stream())
                .sorted(Comparator.comparing(RecoveryPoints::modified).reversed())
                .toList();
        for (Path metadata : candidates) {
            Optional<String> problem = unreadable(metadata);
            if (problem.isEmpty()) {
                return Optional.of(metadata.getParent().toString());
            }
            LOG.warn("not restoring from {}: its metadata cannot be read ({}); trying the next older one",
                    metadata.getParent(), problem.get());
        }
        return Optional.empty();
    }

    /**
     * What a start of the job restores: the explicit path when the configuration names one, else (when it resumes)
     * the newest readable savepoint or retained checkpoint under its directories, else nothing. The one rule of the
     * embedded runner ({@code kclip concepts run}), the job jar's main (application mode, {@code flink run}) and
     * {@code kclip concepts submit}.
     */
    public static Optional<String> toRestore(ConceptJobConfig config) {
        if (config.restoreFrom() != null) {
            return Optional.of(config.restoreFrom());
        }
        return config.resume() ? newest(config.checkpointDir(), config.savepointDir()) : Optional.empty();
    }

    /** Why Flink cannot read this {@code _metadata} file, or empty when it can. */
    static Optional<String> unreadable(Path metadata) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(metadata)))) {
            Checkpoints.loadCheckpointMetadata(in, RecoveryPoints.class.getClassLoader(), metadata.getParent().toString());
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of(e.toString());
        }
    }

    /**
     * Deletes all but the newest {@code keep} checkpoints under {@code checkpointDir} (of every run: Flink prunes
     * only within its own job's folder) and all but the newest {@code keep} savepoints under {@code savepointDir};
     * a job folder whose last checkpoint goes is deleted with its shared state. {@code protect} (the point about
     * to be restored, or null) is never deleted. Call it while no job writes to the directories.
     *
     * @return the deleted checkpoint and savepoint directories
     */
    public static List<Path> prune(String checkpointDir, String savepointDir, int keep, String protect) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, not " + keep);
        }
        Path kept = protect == null ? null : Path.of(protect).toAbsolutePath().normalize();
        List<Path> deleted = new ArrayList<>();
        for (String dir : List.of(checkpointDir, savepointDir)) {
            List<Path> points = metadataFiles(dir).stream()
                    .sorted(Comparator.comparing(RecoveryPoints::modified).reversed())
                    .map(Path::getParent)
                    .toList();
            for (Path point : points.subList(Math.min(keep, points.size()), points.size())) {
                if (!point.toAbsolutePath().normalize().equals(kept)) {
                    delete(point);
                    deleted.add(point);
                }
            }
        }
        // a job folder (<checkpointDir>/<job id>) left without any chk-N goes, with its shared/ and taskowned/
        deleted.stream().filter(p -> p.getFileName().toString().startsWith("chk-")).map(Path::getParent).distinct()
                .filter(job -> !hasCheckpoint(job))
                .forEach(RecoveryPoints::delete);
        if (!deleted.isEmpty()) {
            LOG.info("pruned {} old checkpoints and savepoints (keeping the newest {} of each)", deleted.size(), keep);
        }
        return deleted;
    }

    private static boolean hasCheckpoint(Path job) {
        try (Stream<Path> children = Files.list(job)) {
            return children.anyMatch(c -> c.getFileName().toString().startsWith("chk-"));
        } catch (IOException e) {
            return true;   // leave what cannot be read
        }
    }

    private static void delete(Path dir) {
        try {
            Directories.deleteRecursively(dir);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", dir, e.toString());
        }
    }

    /** Whether {@link #newest} can search {@code dir}: a plain path or a {@code file:} URI, not s3:, hdfs: or the like. */
    public static boolean searchable(String dir) {
        String scheme = URI.create(dir).getScheme();
        return scheme == null || "file".equals(scheme);
    }

    private static Optional<Path> localPath(String uri) {
        if (!searchable(uri)) {
            return Optional.empty();
        }
        URI parsed = URI.create(uri);
        Path path = parsed.getScheme() == null ? Path.of(uri) : Path.of(parsed);
        return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
    }

    private static List<Path> metadataFiles(String dir) {
        Optional<Path> root = localPath(dir);
        if (root.isEmpty()) {
            return List.of();
        }
        // savepoint-*/_metadata is depth 2, <job>/chk-*/_metadata depth 3
        try (Stream<Path> files = Files.find(root.get(), 3, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().equals(METADATA))) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search " + root.get() + " for savepoints: " + e.getMessage(), e);
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
