package dev.kclip.trainer.checkpoint;

import dev.kclip.common.files.Directories;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.PairIds;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a local copy of a run's newest checkpoint: for each {@link CheckpointEvent} newer than what it holds, it
 * fetches the checkpoint into a staging directory under {@code target} ({@value #STAGING_PREFIX}..., never a
 * version's name), checks the manifest's SHA-256 against the event and every file against the manifest, and only
 * then renames it to its version's name and switches the {@code latest} symbolic link to it, atomically (a new link
 * renamed over the old). A checkpoint that does not verify is deleted and {@code latest} left as it was. The
 * location is a {@code file:} directory readable from here (a shared path) or an {@code http(s)://} one served by a
 * {@link CheckpointServer} (a machine that shares no disk): a download cut off stays staged and resumes from the
 * bytes already there (HTTP {@code Range}) when the same checkpoint is announced again, after a restart too.
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
    /** A checkpoint being fetched: {@code .staging-vNNNNNN-<manifest SHA-256, 16 hex>}, never a version's name. */
    static final String STAGING_PREFIX = ".staging-";
    /** What followers before resumable downloads staged copies in. */
    private static final String COPY_PREFIX = ".copy-";
    private static final String LINK_PREFIX = ".latest-";
    /** Tries of one file: a cut connection resumes, a wrong SHA-256 starts the file again. */
    static final int FILE_ATTEMPTS = 4;
    private static final long RETRY_PAUSE_MS = 500;

    /**
     * What the follower accepts.
     *
     * @param sourceRoot the directory announced checkpoints must be in (the trainer's store, as this machine sees
     *     it), or null to accept a version directory anywhere
     * @param sourceUrl the server announced {@code http(s)} checkpoints must be on, their location directly under
     *     it ({@code sourceUrl/vNNNNNN/}), or null to accept any server
     * @param maxVersionJump the most versions an event may be ahead of the installed one, at least 1
     * @param signingKey the key manifests must be signed with, or null to accept unsigned ones
     */
    public record Policy(Path sourceRoot, URI sourceUrl, long maxVersionJump, SigningKey signingKey) {
        /** Any location, {@link #DEFAULT_MAX_VERSION_JUMP}, unsigned. */
        public static final Policy DEFAULT = new Policy(null, DEFAULT_MAX_VERSION_JUMP, null);

        /** Any server for {@code http(s)} locations. */
        public Policy(Path sourceRoot, long maxVersionJump, SigningKey signingKey) {
            this(sourceRoot, null, maxVersionJump, signingKey);
        }

        public Policy {
            if (maxVersionJump < 1) {
                throw new IllegalArgumentException("the version jump allowed is at least 1, not " + maxVersionJump);
            }
        }
    }

    private final Path target;
    private final Policy policy;
    private final HttpCheckpointClient http;
    private long installedVersion;
    /** The newest checkpoint whose fetch failed part-way (a source that stopped answering), or null. */
    private CheckpointEvent unfinished;

    /** A follower with {@link Policy#DEFAULT}. */
    public CheckpointFollower(Path target) throws IOException {
        this(target, Policy.DEFAULT);
    }

    /** A follower that sends no token to checkpoint servers. */
    public CheckpointFollower(Path target, Policy policy) throws IOException {
        this(target, policy, HttpCheckpointClient.anonymous());
    }

    /**
     * A follower that downloads {@code http(s)} locations with {@code http}. Leftovers of a crash are dealt with
     * here: copies and links half made are removed; a download's staging directory stays, to be resumed when its
     * checkpoint is announced again (the catch-up after a restart delivers it) or removed when a newer one is.
     */
    public CheckpointFollower(Path target, Policy policy, HttpCheckpointClient http) throws IOException {
        this.target = target.toAbsolutePath();
        this.policy = policy;
        this.http = http;
        Files.createDirectories(this.target);
        removeLeftovers(name -> name.startsWith(COPY_PREFIX) || name.startsWith(LINK_PREFIX));
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
        CheckpointSource source;
        try {
            source = source(event);
        } catch (IOException | RuntimeException e) {
            LOG.warn("checkpoint {} of {} refused: {}; latest stays at version {}", version, event.getRunId(),
                    e.getMessage(), installedVersion);
            return false;
        }
        String name = CheckpointStore.directoryName(version);
        String manifestSha = event.getManifestSha256() == null ? "" : event.getManifestSha256();
        Path staging = target.resolve(STAGING_PREFIX + name + "-"
                + manifestSha.substring(0, Math.min(16, manifestSha.length())).replaceAll("[^0-9a-fA-F]", "_"));
        try {
            removeLeftovers(other -> other.startsWith(STAGING_PREFIX) && !other.equals(staging.getFileName().toString()));
            String problem = fetchVerified(event, source, staging);
            if (problem != null) {
                LOG.warn("checkpoint {} of {} at {} refused: {}; latest stays at version {}", version,
                        event.getRunId(), source.describe(), problem, installedVersion);
                Directories.deleteRecursively(staging);
                return false;
            }
            Path installed = target.resolve(name);
            Directories.deleteRecursively(installed);
            Files.move(staging, installed, StandardCopyOption.ATOMIC_MOVE);
            Path link = target.resolve(LINK_PREFIX + UUID.randomUUID());
            Files.createSymbolicLink(link, installed.getFileName());
            Files.move(link, target.resolve(LATEST), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            CheckpointStore.fsyncDirectory(target);
            installedVersion = version;
            unfinished = null;
            LOG.info("checkpoint {} of {} installed at {}", version, event.getRunId(), installed);
            return true;
        } catch (IOException | RuntimeException e) {
            unfinished = event;
            // kept for the next try: a download resumes from the bytes already there, each then verified
            LOG.warn("cannot install checkpoint {} of {} from {}: {}; what was fetched stays in {} to be resumed",
                    version, event.getRunId(), source.describe(), e.toString(), staging.getFileName());
            return false;
        }
    }

    /**
     * Tries again the newest checkpoint whose fetch failed part-way (its server restarting, a network cut), resuming
     * from what is staged; {@code kclip checkpoints follow} calls it now and then, so a checkpoint announced once is
     * not left half fetched until the next one.
     *
     * @return true when {@code latest} now points to it
     */
    public synchronized boolean retryUnfinished() {
        CheckpointEvent event = unfinished;
        if (event == null || event.getVersion() <= installedVersion) {
            unfinished = null;
            return false;
        }
        return accept(event);
    }

    /** Removes the entries of the target whose name {@code matches} (leftovers of an earlier run or download). */
    private void removeLeftovers(java.util.function.Predicate<String> matches) throws IOException {
        try (java.util.stream.Stream<Path> entries = Files.list(target)) {
            for (Path p : entries.toList()) {
                if (matches.test(p.getFileName().toString())) {
                    Directories.deleteRecursively(p);
                }
            }
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

    /**
     * Where the event's checkpoint is: a {@code file:} version directory of its version, not a link, inside the
     * source root if set; or an {@code http(s)} URL ending in that directory's name, directly under the source URL
     * if set.
     */
    private CheckpointSource source(CheckpointEvent event) throws IOException {
        URI uri = URI.create(event.getLocation());
        String name = CheckpointStore.directoryName(event.getVersion());
        if ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) {
            return httpSource(uri, name, event);
        }
        if (!"file".equals(uri.getScheme())) {
            throw new IOException("location " + event.getLocation() + " is not a file:, http: or https: URI");
        }
        Path source = Path.of(uri);
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
        return new CheckpointSource.Directory(source);
    }

    private CheckpointSource httpSource(URI uri, String name, CheckpointEvent event) throws IOException {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String directory = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || uri.getHost() == null || !directory.endsWith("/" + name)) {
            throw new IOException("location " + event.getLocation() + " is not a server's directory " + name
                    + " of version " + event.getVersion() + " (http(s)://host:port/.../" + name + "/)");
        }
        URI from = policy.sourceUrl();
        if (from != null) {
            String parent = directory.substring(0, directory.length() - name.length());
            String fromPath = from.getRawPath() == null || from.getRawPath().isEmpty() ? "/" : from.getRawPath();
            if (!from.getScheme().equalsIgnoreCase(uri.getScheme()) || !from.getRawAuthority().equalsIgnoreCase(uri.getRawAuthority())
                    || !parent.equals(fromPath.endsWith("/") ? fromPath : fromPath + "/")) {
                throw new IOException("location " + event.getLocation() + " is not on " + from + " (--from)");
            }
        }
        return http.source(uri);
    }

    /**
     * Fetches the checkpoint at {@code source} into {@code staging}: its manifest when it is the announced one (and
     * signed, with a key), then only the files it names, each resumed from what {@code staging} already holds and
     * checked against its size and SHA-256; then verifies the whole of {@code staging}.
     *
     * @return null when it verifies and matches the event, else what is wrong
     * @throws IOException when the source cannot be read (what was fetched stays, to be resumed)
     */
    private String fetchVerified(CheckpointEvent event, CheckpointSource source, Path staging) throws IOException {
        byte[] json = source.read(CheckpointStore.MANIFEST, CheckpointStore.MAX_MANIFEST_BYTES);
        if (!HexFormat.of().formatHex(PairIds.sha256().digest(json)).equals(event.getManifestSha256())) {
            return CheckpointStore.MANIFEST + " is not the one the event announced (SHA-256 differs)";
        }
        byte[] signature = null;
        if (policy.signingKey() != null) {
            try {
                signature = source.read(SigningKey.SIGNATURE_FILE, 1024);
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
        if (Files.exists(staging, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(staging);
        }
        Files.createDirectories(staging);
        for (Map.Entry<String, CheckpointManifest.FileDigest> file : manifest.files().entrySet()) {
            problem = fetchFile(source, file.getKey(), file.getValue(), staging.resolve(file.getKey()));
            if (problem != null) {
                return problem;
            }
        }
        byte[] signed = signature;
        Files.deleteIfExists(staging.resolve(CheckpointStore.MANIFEST));
        Files.deleteIfExists(staging.resolve(SigningKey.SIGNATURE_FILE));
        CheckpointStore.writeSynced(staging.resolve(CheckpointStore.MANIFEST), out -> out.write(json));
        if (signed != null) {
            CheckpointStore.writeSynced(staging.resolve(SigningKey.SIGNATURE_FILE), out -> out.write(signed));
        }
        CheckpointStore.fsyncDirectory(staging);
        CheckpointStore.Verification verification = CheckpointStore.verify(staging, policy.signingKey());
        return verification.ok() ? null : verification.problem();
    }

    /**
     * Brings one file of {@code staging} to its digest: what is there already is kept and the rest fetched from its
     * end (a download cut off resumes); a file of the full size with another SHA-256, or longer than recorded, is
     * fetched again from the start. After {@value #FILE_ATTEMPTS} tries the last problem is given: a wrong SHA-256
     * as a refusal, a failing source as the exception.
     *
     * @return null when the file matches its digest, else what is wrong with it
     */
    private static String fetchFile(CheckpointSource source, String name, CheckpointManifest.FileDigest digest, Path file)
            throws IOException {
        String mismatch = null;
        IOException failure = null;
        for (int attempt = 0; attempt < FILE_ATTEMPTS; attempt++) {
            if (attempt > 0 && failure != null) {
                pause(attempt);
            }
            long have = stagedBytes(file);
            if (have == digest.bytes()) {
                String sha = CheckpointStore.sha256(file);
                if (sha.equals(digest.sha256())) {
                    return null;
                }
                mismatch = name + " has SHA-256 " + sha + ", the manifest says " + digest.sha256();
                LOG.warn("{} from {} does not match its manifest; fetching it again from the start", name, source.describe());
                Files.delete(file);
                have = 0;
            } else if (have > digest.bytes()) {
                Files.delete(file);
                have = 0;
            }
            if (have > 0) {
                LOG.info("resuming {} from {} at byte {} of {}", name, source.describe(), have, digest.bytes());
            }
            try (CheckpointSource.Opened opened = source.open(name, have);
                 FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         LinkOption.NOFOLLOW_LINKS)) {
                out.truncate(opened.start());
                out.position(opened.start());
                try {
                    // one byte more than recorded is read, so an overlong file fails its size check
                    long limit = digest.bytes() - opened.start() + 1;
                    byte[] buffer = new byte[1 << 16];
                    long copied = 0;
                    int n;
                    while (copied < limit && (n = opened.in().read(buffer, 0, (int) Math.min(buffer.length, limit - copied))) > 0) {
                        out.write(java.nio.ByteBuffer.wrap(buffer, 0, n));
                        copied += n;
                    }
                } finally {
                    out.force(true);
                }
                failure = null;
            } catch (NoSuchFileException e) {
                return name + " is missing at " + source.describe();
            } catch (IOException e) {
                failure = e;
                LOG.warn("fetching {} from {} stopped at byte {}: {}", name, source.describe(), stagedBytes(file), e.toString());
            }
        }
        if (stagedBytes(file) == digest.bytes() && CheckpointStore.sha256(file).equals(digest.sha256())) {
            return null;
        }
        if (failure != null) {
            throw failure;
        }
        return mismatch != null ? mismatch : name + " does not have the " + digest.bytes() + " bytes its manifest records";
    }

    /** The bytes of a staged file so far; a staged entry that is not a regular file is removed (0). */
    private static long stagedBytes(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes.isRegularFile()) {
                return attributes.size();
            }
            Directories.deleteRecursively(file);
            return 0;
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private static void pause(int attempt) throws IOException {
        try {
            Thread.sleep(RETRY_PAUSE_MS * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted between tries", e);
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
