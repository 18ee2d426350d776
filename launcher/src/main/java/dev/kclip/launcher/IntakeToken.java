package dev.kclip.launcher;

import dev.kclip.common.cli.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The bearer token of {@code kclip up}'s HTTP intake when none is chosen: a random one kept in a file only its owner
 * may read, under the state folder, so a second {@code up} keeps it. Only the file's path is ever printed: terminals
 * and log collectors keep what is printed, and command lines are visible to every user of the machine.
 *
 * @param token the token
 * @param file the file that holds it
 * @param created whether this call made it (else it was kept from an earlier run)
 */
record IntakeToken(String token, Path file, boolean created) {

    /** The environment variable that chooses the token instead. */
    static final String ENV = "KCLIP_HTTP_TOKEN";
    /** The file under the state folder. */
    static final String FILE_NAME = "http-token";
    /** rw-------: the owner reads and writes it, nobody else anything. */
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** The token in {@code home}/{@value #FILE_NAME}, made (random, 128 bits) when there is none yet. */
    static IntakeToken in(Path home) {
        Path file = home.resolve(FILE_NAME);
        try {
            if (Files.isRegularFile(file)) {
                String kept = Files.readString(file, StandardCharsets.UTF_8).strip();
                if (!kept.isEmpty()) {
                    Files.setPosixFilePermissions(file, OWNER_ONLY); // in case someone widened them
                    return new IntakeToken(kept, file, false);
                }
            }
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String token = HexFormat.of().formatHex(random);
            Files.createDirectories(home);
            // written to an owner-only file first, so the token is never readable by others, not even for a moment
            Path written = Files.createTempFile(home, FILE_NAME, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            Files.writeString(written, token + "\n", StandardCharsets.UTF_8);
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new IntakeToken(token, file, true);
        } catch (IOException | UnsupportedOperationException e) {
            throw new UserException("cannot keep the HTTP token in " + file + ": " + e.getMessage()
                    + " (choose one with --http-token-file FILE or $" + ENV + ")", e);
        }
    }

    /** What {@code kclip up} prints: where the token is, never the token. */
    String describe() {
        return "bearer token in " + file + (created ? " (new" : " (kept") + ", readable by you only; --http-token-file"
                + " FILE or $" + ENV + " chooses one)";
    }

    /** Leaves the token out, so it can be printed. */
    @Override
    public String toString() {
        return "IntakeToken[file=" + file + ", token=(hidden)]";
    }
}
