package dev.kclip.trainer.checkpoint;

import dev.kclip.common.files.Directories;
import dev.kclip.schemas.CheckpointEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a local copy of a run's newest checkpoint: for each {@link CheckpointEvent} newer than what it holds, it
 * copies the checkpoint directory under {@code target} (through a temporary name), checks the copied manifest's
 * SHA-256 against the event and every file against the manifest, and only then switches the {@code latest}
 * symbolic link to it, atomically (a new link renamed over the old). A copy that does not verify is deleted and
 * {@code latest} left as it was. The checkpoint's location must be readable from here (a shared path).
 */
public final class CheckpointFollower {

    public static final String LATEST = "latest";
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointFollower.class);

    private final Path target;
    private long installedVersion = -1;

    public CheckpointFollower(Path target) throws IOException {
        this.target = target.toAbsolutePath();
        Files.createDirectories(this.target);
    }

    /** The version {@code latest} points to, or -1. */
    public long installedVersion() {
        return installedVersion;
    }

    /**
     * Installs the event's checkpoint when it is newer than the installed one.
     *
     * @return true when {@code latest} now points to it
     */
    public synchronized boolean accept(CheckpointEvent event) {
        if (event.getVersion() <= installedVersion) {
            return false;
        }
        Path source = Path.of(URI.create(event.getLocation()));
        String name = CheckpointStore.directoryName(event.getVersion());
        Path copy = target.resolve(".copy-" + name + "-" + UUID.randomUUID());
        try {
            copyDirectory(source, copy);
            CheckpointStore.Verification verification = CheckpointStore.verify(copy);
            if (!verification.ok() || !event.getManifestSha256().equals(verification.manifestSha256())) {
                LOG.warn("checkpoint {} of {} does not verify after copying ({}); latest stays at version {}",
                        event.getVersion(), event.getRunId(),
                        verification.ok() ? "manifest differs from the announced one" : verification.problem(),
                        installedVersion);
                Directories.deleteRecursively(copy);
                return false;
            }
            Path installed = target.resolve(name);
            Directories.deleteRecursively(installed);
            Files.move(copy, installed, StandardCopyOption.ATOMIC_MOVE);
            Path link = target.resolve(".latest-" + UUID.randomUUID());
            Files.createSymbolicLink(link, installed.getFileName());
            Files.move(link, target.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            installedVersion = event.getVersion();
            LOG.info("checkpoint {} of {} installed at {}", event.getVersion(), event.getRunId(), installed);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot install checkpoint {} of {} from {}: {}", event.getVersion(), event.getRunId(), source, e.toString());
            try {
                Directories.deleteRecursively(copy);
            } catch (IOException cleanup) {
                LOG.warn("cannot remove the partial copy {}: {}", copy, cleanup.toString());
            }
            return false;
        }
    }

    private static void copyDirectory(Path source, Path copy) throws IOException {
        Files.createDirectory(copy);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Path to = copy.resolve(f.getFileName());
                    Files.copy(f, to);
                    CheckpointStore.fsyncFile(to);
                }
            }
        }
        CheckpointStore.fsyncDirectory(copy);
    }
}
