package dev.kclip.trainer.checkpoint;

import dev.kclip.common.files.Directories;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.PairIds;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a local copy of a run's newest checkpoint: for each {@link CheckpointEvent} newer than what it holds, it
 * copies the checkpoint directory under {@code target} (through a temporary name), checks the copied manifest's
 * SHA-256 against the event and every file against the manifest, and only then switches the {@code latest}
 * symbolic link to it, atomically (a new link renamed over the old). A copy that does not verify is deleted and
 * {@code latest} left as it was. The checkpoint's location must be readable from here (a shared path).
 *
 * <p>Events are hostile input (anyone who can write to the topic can send one), so an event is refused, with a
 * WARN and {@code latest} unchanged, when its version is not newer than the installed one or jumps more than
 * {@link Policy#maxVersionJump} past it; when its location is not a version directory named after its version
 * (inside {@link Policy#sourceRoot} when set), or is a link; when the manifest there is not the announced one, is
 * not signed with {@link Policy#signingKey} when one is set, names a file that is not a plain name, or disagrees
 * with the event's run or version. Only the files the manifest names are copied, each a regular file (a link in
 * the source is never followed). On start the installed version is read back from {@code latest} (when it is a
 * link to a version directory beside it that verifies), so a restarted follower does not go backwards either.
 */
public final class CheckpointFollower {

    public static final String LATEST = "latest";
    /**
     * The default of {@link Policy#maxVersionJump}: a trainer writes one version per checkpoint, so even at one a
     * minute this is almost two years of missed events, while a forged version near {@code Long.MAX_VALUE} (which
     * would make every later real one look old) is refused.
     */
    public static final long DEFAULT_MAX_VERSION_JUMP = 1_000_000;
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointFollower.class);

    /**
     * What the follower accepts.
     *
     * @param sourceRoot the directory announced checkpoints must be in (the trainer's store, as this machine sees
     *     it), or null to accept a version directory anywhere
     * @param maxVersionJump the most versions an event may be ahead of the installed one, at least 1
     * @param signingKey the key manifests must be signed with, or null to accept unsigned ones
     */
    public record Policy(Path sourceRoot, long maxVersionJump, SigningKey signingKey) {
        /** Any location, {@link #DEFAULT_MAX_VERSION_JUMP}, unsigned. */
        public static final Policy DEFAULT = new Policy(null, DEFAULT_MAX_VERSION_JUMP, null);

        public Policy {
            if (maxVersionJump < 1) {
                throw new IllegalArgumentException("the version jump allowed is at least 1, not " + maxVersionJump);
            }
        }
    }

    private final Path target;
    private final Policy policy;
    private long installedVersion;

    /** A follower with {@link Policy#DEFAULT}. */
    public CheckpointFollower(Path target) throws IOException {
        this(target, Policy.DEFAULT);
    }

    public CheckpointFollower(Path target, Policy policy) throws IOException {
        this.target = target.toAbsolutePath();
        this.policy = policy;
        Files.createDirectories(this.target);
        this.installedVersion = installedAtStart();
    }

    /** The version {@code latest} points to, or -1. */
    public synchronized long installedVersion() {
        return installedVersion;
    }

    /**
     * Installs the event's checkpoint when it is newer than the installed one and passes every check of the
     * class description.
     *
     * @return true when {@code latest} now points to it
     */
    public synchronized boolean accept(CheckpointEvent event) {
        long version = event.getVersion();
        if (version == installedVersion) {
            return false; // the catch-up of a restart delivers the installed one again
        }
        String refusal = versionRefusal(version);
        if (refusal != null) {
            LOG.warn("checkpoint {} of {} refused: {}; latest stays at version {}", version, event.getRunId(), refusal,
                    installedVersion);
            return false;
        }
        Path source;
        try {
            source = sourceDirectory(event);
        } catch (IOException | RuntimeException e) {
            LOG.warn("checkpoint {} of {} refused: {}; latest stays at version {}", version, event.getRunId(),
                    e.getMessage(), installedVersion);
            return false;
        }
        String name = CheckpointStore.directoryName(version);
        Path copy = target.resolve(".copy-" + name + "-" + UUID.randomUUID());
        try {
            String problem = copyVerified(event, source, copy);
            if (problem != null) {
                LOG.warn("checkpoint {} of {} at {} refused: {}; latest stays at version {}", version,
                        event.getRunId(), source, problem, installedVersion);
                Directories.deleteRecursively(copy);
                return false;
            }
            Path installed = target.resolve(name);
            Directories.deleteRecursively(installed);
            Files.move(copy, installed, StandardCopyOption.ATOMIC_MOVE);
            Path link = target.resolve(".latest-" + UUID.randomUUID());
            Files.createSymbolicLink(link, installed.getFileName());
            Files.move(link, target.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            installedVersion = version;
            LOG.info("checkpoint {} of {} installed at {}", version, event.getRunId(), installed);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot install checkpoint {} of {} from {}: {}", version, event.getRunId(), source, e.toString());
            try {
                Directories.deleteRecursively(copy);
            } catch (IOException cleanup) {
                LOG.warn("cannot remove the partial copy {}: {}", copy, cleanup.toString());
            }
            return false;
        }
    }

    /** Why a version is not acceptable after the installed one, or null. */
    private String versionRefusal(long version) {
        if (version < 1) {
            return "version " + version + " is not a checkpoint version";
        }
        if (version < installedVersion) {
            return "version " + version + " goes backwards from the installed " + installedVersion;
        }
        if (installedVersion > 0 && version - installedVersion > policy.maxVersionJump()) {
            return "version " + version + " jumps " + (version - installedVersion) + " past the installed "
                    + installedVersion + ", more than the " + policy.maxVersionJump() + " allowed (--max-version-jump)";
        }
        return null;
    }

    /** The event's location as a version directory of its version, not a link, inside the source root if set. */
    private Path sourceDirectory(CheckpointEvent event) throws IOException {
        URI uri = URI.create(event.getLocation());
        if (!"file".equals(uri.getScheme())) {
            throw new IOException("location " + event.getLocation() + " is not a file: URI");
        }
        Path source = Path.of(uri);
        String name = CheckpointStore.directoryName(event.getVersion());
        if (source.getFileName() == null || !source.getFileName().toString().equals(name)) {
            throw new IOException("location " + source + " is not the directory " + name + " of version " + event.getVersion());
        }
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("location " + source + (Files.isSymbolicLink(source) ? " is a link (never followed)"
                    : " is not a directory"));
        }
        if (policy.sourceRoot() != null
                && !source.toRealPath().getParent().equals(policy.sourceRoot().toRealPath())) {
            throw new IOException("location " + source + " is outside " + policy.sourceRoot() + " (--from)");
        }
        return source;
    }

    /**
     * Copies the checkpoint at {@code source} to {@code copy}: its manifest when it is the announced one (and
     * signed, with a key), then only the files it names, each a regular file; then verifies the copy.
     *
     * @return null when the copy verifies and matches the event, else what is wrong
     */
    private String copyVerified(CheckpointEvent event, Path source, Path copy) throws IOException {
        byte[] json = CheckpointStore.readRegular(source.resolve(CheckpointStore.MANIFEST), CheckpointStore.MAX_MANIFEST_BYTES);
        if (!HexFormat.of().formatHex(PairIds.sha256().digest(json)).equals(event.getManifestSha256())) {
            return CheckpointStore.MANIFEST + " is not the one the event announced (SHA-256 differs)";
        }
        byte[] signature = null;
        if (policy.signingKey() != null) {
            try {
                signature = CheckpointStore.readRegular(source.resolve(SigningKey.SIGNATURE_FILE), 1024);
            } catch (NoSuchFileException e) {
                signature = null;
            }
            String problem = policy.signingKey().problem(json, signature);
            if (problem != null) {
                return problem;
            }
        }
        CheckpointManifest manifest = CheckpointManifest.fromJson(json);
        String problem = CheckpointStore.fileNameProblem(manifest);
        if (problem != null) {
            return problem;
        }
        if (manifest.version() != event.getVersion() || !manifest.runId().equals(event.getRunId())) {
            return "the manifest is version " + manifest.version() + " of " + manifest.runId() + ", the event says "
                    + event.getVersion() + " of " + event.getRunId();
        }
        Files.createDirectory(copy);
        for (Map.Entry<String, CheckpointManifest.FileDigest> file : manifest.files().entrySet()) {
            copyRegular(source.resolve(file.getKey()), copy.resolve(file.getKey()));
        }
        byte[] signed = signature;
        CheckpointStore.writeSynced(copy.resolve(CheckpointStore.MANIFEST), out -> out.write(json));
        if (signed != null) {
            CheckpointStore.writeSynced(copy.resolve(SigningKey.SIGNATURE_FILE), out -> out.write(signed));
        }
        CheckpointStore.fsyncDirectory(copy);
        CheckpointStore.Verification verification = CheckpointStore.verify(copy, policy.signingKey());
        return verification.ok() ? null : verification.problem();
    }

    /** Copies one file that must be a regular file (a link, a directory or a device is refused, not followed). */
    private static void copyRegular(Path from, Path to) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(from, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            throw new IOException(from + " is not a regular file (links, directories and devices are not copied)");
        }
        try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS)) {
            CheckpointStore.writeSynced(to, in::transferTo);
        }
    }

    /** The version {@code latest} points to when it is a link to a version directory beside it that verifies. */
    private long installedAtStart() {
        Path latest = target.resolve(LATEST);
        if (!Files.exists(latest, LinkOption.NOFOLLOW_LINKS)) {
            return -1;
        }
        try {
            if (!Files.isSymbolicLink(latest)) {
                throw new IOException("it is not a link");
            }
            CheckpointStore.Verification v = CheckpointStore.verify(CheckpointStore.resolveDirectory(latest),
                    policy.signingKey());
            if (v.ok()) {
                return v.manifest().version();
            }
            LOG.warn("{} does not verify ({}); the next checkpoint announced replaces it", latest, v.problem());
        } catch (IOException e) {
            LOG.warn("{} is not a follower's link ({}); the next checkpoint announced replaces it", latest, e.getMessage());
        }
        return -1;
    }
}
