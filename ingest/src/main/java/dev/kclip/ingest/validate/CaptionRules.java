package dev.kclip.ingest.validate;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What a caption must be: valid UTF-8 on the wire, non-empty after trimming, at most {@code maxChars} characters
 * (Unicode code points, so an emoji counts once).
 */
public final class CaptionRules {

    /** The default limit on caption length. */
    public static final int DEFAULT_MAX_CHARS = 1_000;

    private final int maxChars;

    public CaptionRules(int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maximum caption length must be at least 1 character, not " + maxChars);
        }
        this.maxChars = maxChars;
    }

    public int maxChars() {
        return maxChars;
    }

    /**
     * Checks a caption given as the bytes it had on the wire.
     *
     * @return the caption with leading and trailing whitespace removed
     * @throws PairRejectedException with {@link RejectReason#BAD_UTF8}, {@link RejectReason#EMPTY_CAPTION} or
     *         {@link RejectReason#CAPTION_TOO_LONG}
     */
    public String check(byte[] utf8) throws PairRejectedException {
        String caption;
        try {
            caption = strictDecoder().decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new PairRejectedException(RejectReason.BAD_UTF8, "caption is not valid UTF-8 (" + utf8.length
                    + " bytes, first bad byte at offset " + firstMalformedOffset(utf8) + ")", null);
        }
        String trimmed = caption.strip();
        if (trimmed.isEmpty()) {
            throw new PairRejectedException(RejectReason.EMPTY_CAPTION, caption.isEmpty()
                    ? "caption is empty" : "caption is only whitespace (" + caption.length() + " characters)", null);
        }
        int length = trimmed.codePointCount(0, trimmed.length());
        if (length > maxChars) {
            throw new PairRejectedException(RejectReason.CAPTION_TOO_LONG, String.format(Locale.ROOT,
                    "caption has %,d characters, more than the %,d allowed", length, maxChars), null);
        }
        return trimmed;
    }

    private static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static int firstMalformedOffset(byte[] utf8) {
        ByteBuffer in = ByteBuffer.wrap(utf8);
        strictDecoder().decode(in, CharBuffer.allocate(utf8.length + 1), true);
        return in.position();
    }
}
