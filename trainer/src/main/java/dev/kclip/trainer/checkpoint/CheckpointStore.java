package dev.kclip.trainer.checkpoint;

import dev.kclip.common.files.Directories;
import dev.kclip.formats.files.FileNames;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.Topics;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
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
 * one that does not (a truncated or altered file) is never loaded: it is logged and the previous one used. The
 * manifest is hostile input until verified ({@link #verify(Path, SigningKey)}): its file names must be plain names
 * in the checkpoint directory ({@link #isFileName}), every file it names a regular file (links, devices and pipes
 * are never read) of the recorded size and SHA-256, and loaders open only files it names
 * ({@link StoredCheckpoint#file}). With a {@link SigningKey} each write also signs the manifest.
 */
public final class CheckpointStore {

    public static final String MANIFEST = "checkpoint.json";
    /** The largest {@code checkpoint.json} read: a record's limit, far above any manifest written. */
    public static final int MAX_MANIFEST_BYTES = Topics.MAX_MESSAGE_BYTES;
    private static final int MAX_SIGNATURE_BYTES = 1024;
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
    private final SigningKey signingKey;

    /**
     * Opens (creating it when needed) a store that does not sign, and removes what interrupted writes and prunes
     * left behind.
     *
     * @param keep newest versions to keep, at least 1 (2 or more lets a damaged newest fall back to the previous)
     */
    public CheckpointStore(Path root, int keep) {
        this(root, keep, null);
    }

    /**
     * Opens a store whose writes sign their manifest with {@code signingKey} (null: unsigned). Reads do not require
     * a signature: the trainer trusts its own store, so checkpoints written before a key was set still resume.
     */
    public CheckpointStore(Path root, int keep, SigningKey signingKey) {
        this.signingKey = signingKey;
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
                if (!isFileName(file.getKey())) {
                    throw new IllegalArgumentException("bad checkpoint file name " + file.getKey());
                }
                digests.put(file.getKey(), writeSynced(temporary.resolve(file.getKey()), file.getValue()));
            }
            CheckpointManifest complete = manifest.withVersion(version).withFiles(digests);
            byte[] json = complete.toJson();
            CheckpointManifest.FileDigest manifestDigest = writeSynced(temporary.resolve(MANIFEST), out -> out.write(json));
            if (signingKey != null) {
                byte[] signature = signingKey.sign(json).getBytes(StandardCharsets.US_ASCII);
                writeSynced(temporary.resolve(SigningKey.SIGNATURE_FILE), out -> out.write(signature));
            }
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
        return newestFirst().toList();
    }

    /**
     * Every version directory, newest first, each verified only when the stream reaches it (a caller that stops at
     * the first loadable one hashes no older one).
     */
    public Stream<Verification> newestFirst() {
        return versionDirectories().stream().map(CheckpointStore::verify);
    }

    /**
     * The newest checkpoint that verifies. Each newer one that does not is logged at WARN with what is wrong, and
     * skipped.
     */
    public Optional<StoredCheckpoint> newestVerified() {
        return newestFirst().filter(v -> {
            if (!v.ok()) {
                LOG.warn("checkpoint {} is damaged and will not be loaded ({}); trying the previous one",
                        v.directory(), v.problem());
            }
            return v.ok();
        }).findFirst().map(Verification::checkpoint);
    }

    /**
     * Whether a checkpoint's file may be called {@code name}: a plain file name ({@link FileNames#isPlain}: no
     * directory, no {@code ..}, not absolute, no device), neither the manifest nor its signature.
     */
    public static boolean isFileName(String name) {
        return FileNames.isPlain(name) && !name.equals(MANIFEST) && !name.equals(SigningKey.SIGNATURE_FILE);
    }

    /** The first file name of {@code manifest} that {@link #isFileName} refuses, said as a problem; null if none. */
    public static String fileNameProblem(CheckpointManifest manifest) {
        for (String name : manifest.files().keySet()) {
            if (!isFileName(name)) {
                return MANIFEST + " names file '" + name.replaceAll("\\p{Cntrl}", "?") + "': a checkpoint file must be a plain "
                        + "file name in its directory (no directories, no '..', no absolute path, no device)";
            }
        }
        return null;
    }

    /**
     * The checkpoint directory {@code named} designates: itself, or, when it is a symbolic link (the follower's
     * {@code latest}), the version directory it names beside it. A link elsewhere (an absolute target, {@code ..},
     * a sub-directory, a link to a link) is refused: resolution never leaves the directory the link is in.
     *
     * @throws IOException when {@code named} is a link to anything but a version directory beside it
     */
    public static Path resolveDirectory(Path named) throws IOException {
        if (!Files.isSymbolicLink(named)) {
            return named;
        }
        String target = Files.readSymbolicLink(named).toString();
        if (!FileNames.isPlain(target) || !VERSION_DIR.matcher(target).matches()) {
            throw new IOException(named + " links to " + target + ": only a link to a version directory beside it"
                    + " (such as v000012) is followed");
        }
        Path dir = named.toAbsolutePath().resolveSibling(target);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(named + " links to " + target + ", which is not a directory beside it");
        }
        return dir;
    }

    /** The checkpoint of {@code version}, verified. */
    public Verification verify(long version) {
        return verify(root.resolve(directoryName(version)));
    }

    /**
     * Checks every file of {@code dir} against its manifest: present, same size, same SHA-256; no signature
     * required (see {@link #verify(Path, SigningKey)}).
     */
    public static Verification verify(Path dir) {
        return verify(dir, null);
    }

    /**
     * Checks a checkpoint directory, trusting nothing in it: {@code dir} is a directory and not a link,
     * {@code checkpoint.json} a regular file of at most {@link #MAX_MANIFEST_BYTES} that parses, with
     * {@code signingKey} signed by it, its file names plain ({@link #fileNameProblem}), and each file it names a
     * regular file (not a link) of the recorded size and SHA-256.
     *
     * @param signingKey the key the manifest must be signed with, or null to accept it unsigned
     */
    public static Verification verify(Path dir, SigningKey signingKey) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return new Verification(dir, null, null, Files.isSymbolicLink(dir)
                    ? "it is a link (a checkpoint directory is never reached through one)" : "it is not a directory");
        }
        byte[] json;
        try {
            json = readRegular(dir.resolve(MANIFEST), MAX_MANIFEST_BYTES);
        } catch (NoSuchFileException e) {
            return new Verification(dir, null, null, "no " + MANIFEST);
        } catch (IOException e) {
            return new Verification(dir, null, null, "cannot read " + MANIFEST + ": " + e.getMessage());
        }
        String manifestSha = HexFormat.of().formatHex(PairIds.sha256().digest(json));
        if (signingKey != null) {
            String problem;
            try {
                problem = signingKey.problem(json, readRegular(dir.resolve(SigningKey.SIGNATURE_FILE), MAX_SIGNATURE_BYTES));
            } catch (NoSuchFileException e) {
                problem = signingKey.problem(json, null);
            } catch (IOException e) {
                problem = "cannot read " + SigningKey.SIGNATURE_FILE + ": " + e.getMessage();
            }
            if (problem != null) {
                return new Verification(dir, null, manifestSha, problem);
            }
        }
        CheckpointManifest manifest;
        try {
            manifest = CheckpointManifest.fromJson(json);
        } catch (IOException e) {
            return new Verification(dir, null, manifestSha, MANIFEST + " is not valid: " + e.getMessage());
        }
        String badName = fileNameProblem(manifest);
        if (badName != null) {
            return new Verification(dir, manifest, manifestSha, badName);
        }
        for (Map.Entry<String, CheckpointManifest.FileDigest> file : manifest.files().entrySet()) {
            String problem = fileProblem(dir, file.getKey(), file.getValue());
            if (problem != null) {
                return new Verification(dir, manifest, manifestSha, problem);
            }
        }
        return new Verification(dir, manifest, manifestSha, null);
    }

    /** What is wrong with one file of a checkpoint against its digest, or null. */
    private static String fileProblem(Path dir, String name, CheckpointManifest.FileDigest digest) {
        Path path = dir.resolve(name);
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                return name + " is not a regular file (" + (attributes.isSymbolicLink() ? "a link" : "a directory or a device")
                        + "; only regular files are read)";
            }
            if (attributes.size() != digest.bytes()) {
                return name + " has " + attributes.size() + " bytes, the manifest says " + digest.bytes();
            }
            String sha = sha256(path);
            if (!sha.equals(digest.sha256())) {
                return name + " has SHA-256 " + sha + ", the manifest says " + digest.sha256();
            }
            return null;
        } catch (NoSuchFileException e) {
            return name + " is missing";
        } catch (IOException e) {
            return "cannot read " + name + ": " + e.getMessage();
        }
    }

    /** A regular file's bytes, refusing a link, a device or a file above {@code limit} bytes. */
    static byte[] readRegular(Path file, int limit) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isRegularFile()) {
            throw new IOException("not a regular file (links, directories and devices are not read)");
        }
        if (attributes.size() > limit) {
            throw new IOException(attributes.size() + " bytes, more than the " + limit + " a checkpoint's " + file.getFileName()
                    + " may have");
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new IOException("grew beyond " + limit + " bytes while read");
            }
            return bytes;
        }
    }

    /** Hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        MessageDigest sha = PairIds.sha256();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
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
                // a link with a version's name counts (and fails verification), so numbering goes past it
                if (m.matches() && (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(p))) {
                    versions.add(Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoint store " + root + ": " + e.getMessage(), e);
        }
        return versions;
    }
}
