package dev.kclip.trainer.checkpoint;

import dev.kclip.common.files.Directories;
import dev.kclip.schemas.PairIds;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints in a local directory, one sub-directory per version ({@code v000012}), each with its files and a
 * {@code checkpoint.json} holding their sizes and SHA-256.
 *
 * <p>Writes are atomic: files go to a temporary directory ({@code .tmp-...}), each is fsync'ed, then the manifest,
 * then the directory, which is renamed to its final name (an atomic rename) and the parent fsync'ed. A version
 * directory therefore either does not exist or is complete; a crash leaves at most a temporary directory, removed
 * on the next open. Only the newest {@code keep} versions are kept.
 *
 * <p>Reads verify: {@link #newestVerified} returns the newest checkpoint whose every file matches its manifest;
 * one that does not (a truncated or altered file) is never loaded: it is logged and the previous one used.
 */
public final class CheckpointStore {

    public static final String MANIFEST = "checkpoint.json";
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern VERSION_DIR = Pattern.compile("v(\\d{6,})");
    private static final String TEMPORARY_PREFIX = ".tmp-";
    private static final String TRASH_PREFIX = ".trash-";

    /** Writes one file's content. */
    @FunctionalInterface
    public interface FileContent {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The outcome of checking a checkpoint directory against its manifest. */
    public record Verification(Path directory, CheckpointManifest manifest, String manifestSha256, String problem) {
        public boolean ok() {
            return problem == null;
        }

        /** The checkpoint, when it verified. */
        public StoredCheckpoint checkpoint() {
            if (!ok()) {
                throw new IllegalStateException("checkpoint " + directory + " did not verify: " + problem);
            }
            return new StoredCheckpoint(directory, manifest, manifestSha256);
        }
    }

    private final Path root;
    private final int keep;

    /**
     * Opens (creating it when needed) a store and removes what interrupted writes and prunes left behind.
     *
     * @param keep newest versions to keep, at least 1 (2 or more lets a damaged newest fall back to the previous)
     */
    public CheckpointStore(Path root, int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least one checkpoint, not " + keep);
        }
        this.root = root.toAbsolutePath();
        this.keep = keep;
        try {
            Files.createDirectories(this.root);
            try (Stream<Path> entries = Files.list(this.root)) {
                for (Path p : entries.toList()) {
                    String name = p.getFileName().toString();
                    if (name.startsWith(TEMPORARY_PREFIX) || name.startsWith(TRASH_PREFIX)) {
                        Directories.deleteRecursively(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open checkpoint store " + this.root + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /** The directory name of a version. */
    public static String directoryName(long version) {
        return String.format(Locale.ROOT, "v%06d", version);
    }

    /** One more than the newest version present (1 for an empty store). */
    public long nextVersion() {
        return versions().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
    }

    /**
     * Writes a new version atomically, then prunes to the newest {@code keep}.
     *
     * @param manifest the manifest; its version and file digests are set here
     * @param files file name to content, written in this order
     */
    public StoredCheckpoint write(CheckpointManifest manifest, Map<String, FileContent> files) throws IOException {
        long version = nextVersion();
        String name = directoryName(version);
        Path temporary = root.resolve(TEMPORARY_PREFIX + name + "-" + UUID.randomUUID());
        Files.createDirectory(temporary);
        try {
            Map<String, CheckpointManifest.FileDigest> digests = new LinkedHashMap<>();
            for (Map.Entry<String, FileContent> file : files.entrySet()) {
                if (file.getKey().equals(MANIFEST) || file.getKey().contains("/")) {
                    throw new IllegalArgumentException("bad checkpoint file name " + file.getKey());
                }
                digests.put(file.getKey(), writeSynced(temporary.resolve(file.getKey()), file.getValue()));
            }
            CheckpointManifest complete = manifest.withVersion(version).withFiles(digests);
            byte[] json = complete.toJson();
            CheckpointManifest.FileDigest manifestDigest = writeSynced(temporary.resolve(MANIFEST), out -> out.write(json));
            fsyncDirectory(temporary);
            Path target = root.resolve(name);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(root);
            prune();
            return new StoredCheckpoint(target, complete, manifestDigest.sha256());
        } catch (IOException | RuntimeException e) {
            Directories.deleteRecursively(temporary);
            throw e;
        }
    }

    /** Complete version directories, newest first, not verified. */
    public List<Path> versionDirectories() {
        return versions().stream().sorted(Comparator.reverseOrder()).map(v -> root.resolve(directoryName(v))).toList();
    }

    /** Every version directory checked against its manifest, newest first. */
    public List<Verification> verifyAll() {
        return versionDirectories().stream().map(CheckpointStore::verify).toList();
    }

    /**
     * The newest checkpoint that verifies. Each newer one that does not is logged at WARN with what is wrong, and
     * skipped.
     */
    public Optional<StoredCheckpoint> newestVerified() {
        for (Path dir : versionDirectories()) {
            Verification v = verify(dir);
            if (v.ok()) {
                return Optional.of(v.checkpoint());
            }
            LOG.warn("checkpoint {} is damaged and will not be loaded ({}); trying the previous one", dir, v.problem());
        }
        return Optional.empty();
    }

    /** The checkpoint of {@code version}, verified. */
    public Verification verify(long version) {
        return verify(root.resolve(directoryName(version)));
    }

    /** Checks every file of {@code dir} against its manifest: present, same size, same SHA-256. */
    public static Verification verify(Path dir) {
        byte[] json;
        try {
            json = Files.readAllBytes(dir.resolve(MANIFEST));
        } catch (NoSuchFileException e) {
            return new Verification(dir, null, null, "no " + MANIFEST);
        } catch (IOException e) {
            return new Verification(dir, null, null, "cannot read " + MANIFEST + ": " + e.getMessage());
        }
        String manifestSha = HexFormat.of().formatHex(PairIds.sha256().digest(json));
        CheckpointManifest manifest;
        try {
            manifest = CheckpointManifest.fromJson(json);
        } catch (IOException e) {
            return new Verification(dir, null, manifestSha, MANIFEST + " is not valid: " + e.getMessage());
        }
        for (Map.Entry<String, CheckpointManifest.FileDigest> file : manifest.files().entrySet()) {
            Path path = dir.resolve(file.getKey());
            try {
                long size = Files.size(path);
                if (size != file.getValue().bytes()) {
                    return new Verification(dir, manifest, manifestSha, file.getKey() + " has " + size
                            + " bytes, the manifest says " + file.getValue().bytes());
                }
                String sha = sha256(path);
                if (!sha.equals(file.getValue().sha256())) {
                    return new Verification(dir, manifest, manifestSha, file.getKey() + " has SHA-256 " + sha
                            + ", the manifest says " + file.getValue().sha256());
                }
            } catch (NoSuchFileException e) {
                return new Verification(dir, manifest, manifestSha, file.getKey() + " is missing");
            } catch (IOException e) {
                return new Verification(dir, manifest, manifestSha, "cannot read " + file.getKey() + ": " + e.getMessage());
            }
        }
        return new Verification(dir, manifest, manifestSha, null);
    }

    /** Hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        MessageDigest sha = PairIds.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Writes a file, fsyncs it, and returns its size and SHA-256. */
    static CheckpointManifest.FileDigest writeSynced(Path path, FileContent content) throws IOException {
        MessageDigest sha = PairIds.sha256();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            OutputStream out = new DigestOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16), sha);
            content.writeTo(out);
            out.flush();
            channel.force(true);
            return new CheckpointManifest.FileDigest(channel.size(), HexFormat.of().formatHex(sha.digest()));
        }
    }

    /** Makes a file's content durable. */
    static void fsyncFile(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Makes a directory's entries (new files, renames) durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private void prune() throws IOException {
        List<Path> all = versionDirectories();
        for (Path old : all.subList(Math.min(keep, all.size()), all.size())) {
            // renamed first, so a half-deleted directory never looks like a checkpoint
            Path trash = root.resolve(TRASH_PREFIX + old.getFileName() + "-" + UUID.randomUUID());
            try {
                Files.move(old, trash, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException | NoSuchFileException e) {
                continue;
            }
            Directories.deleteRecursively(trash);
        }
    }

    private List<Long> versions() {
        List<Long> versions = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                Matcher m = VERSION_DIR.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    versions.add(Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoint store " + root + ": " + e.getMessage(), e);
        }
        return versions;
    }
}
