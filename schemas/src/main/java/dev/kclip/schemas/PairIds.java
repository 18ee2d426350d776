package dev.kclip.schemas;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Pair ids are content hashes, so the same image and caption pushed twice have one id. */
public final class PairIds {

    private PairIds() {
    }

    /** Hex SHA-256 of the image bytes, a zero byte, and the caption in UTF-8. */
    public static String contentHash(byte[] image, String caption) {
        MessageDigest sha = sha256();
        sha.update(image);
        sha.update((byte) 0);
        sha.update(caption.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha.digest());
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
