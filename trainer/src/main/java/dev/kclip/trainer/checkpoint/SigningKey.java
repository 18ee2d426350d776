package dev.kclip.trainer.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A shared secret that signs checkpoint manifests with HMAC-SHA256, so that a follower holding the same key installs
 * only checkpoints its trainer wrote: whoever can write to the events topic (or plant a directory on the shared
 * path) cannot point it at other weights. The signature of {@code checkpoint.json} is in {@link #SIGNATURE_FILE}
 * beside it, hex; the manifest itself is unchanged, so unsigned readers still load signed checkpoints.
 */
public final class SigningKey {

    /** The signature file of a checkpoint directory. */
    public static final String SIGNATURE_FILE = "checkpoint.json.hmac";
    /** Fewer bytes than this is a password, not a key. */
    public static final int MIN_BYTES = 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    private SigningKey(byte[] secret) {
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /** A key of these bytes (at least {@value #MIN_BYTES}). */
    public static SigningKey of(byte[] secret) {
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("a signing key needs at least " + MIN_BYTES + " bytes, not "
                    + secret.length + " (make one with: head -c 32 /dev/urandom > key)");
        }
        return new SigningKey(secret.clone());
    }

    /**
     * The key in {@code file}: its bytes, less one trailing line break (so {@code echo secret > key} and a random
     * file both work, the trainer and its followers reading the file the same way).
     */
    public static SigningKey read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int end = bytes.length;
        if (end > 0 && bytes[end - 1] == '\n') {
            end--;
            if (end > 0 && bytes[end - 1] == '\r') {
                end--;
            }
        }
        try {
            return of(Arrays.copyOf(bytes, end));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** The hex HMAC-SHA256 of a manifest's bytes, as {@link #SIGNATURE_FILE} holds it. */
    public String sign(byte[] manifest) {
        return HexFormat.of().formatHex(mac(manifest));
    }

    /**
     * Checks a signature file's content against the manifest's bytes.
     *
     * @param signature the signature file's bytes, or null when the checkpoint has none
     * @return null when it matches, else what is wrong
     */
    public String problem(byte[] manifest, byte[] signature) {
        if (signature == null) {
            return "it is not signed (no " + SIGNATURE_FILE + ") and a signing key is required";
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(new String(signature, StandardCharsets.US_ASCII).strip());
        } catch (IllegalArgumentException e) {
            return SIGNATURE_FILE + " is not a hex signature";
        }
        return MessageDigest.isEqual(mac(manifest), given) ? null
                : SIGNATURE_FILE + " does not match: not signed with this key, or the manifest was altered";
    }

    private byte[] mac(byte[] data) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
