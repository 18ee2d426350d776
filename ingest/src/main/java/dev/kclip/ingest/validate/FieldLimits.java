package dev.kclip.ingest.validate;

import dev.kclip.schemas.ImageCaptionPair;
import java.util.Locale;
import java.util.Map;

/**
 * Upper bounds on the string fields of an {@code ImageCaptionPair} other than the caption (which {@link CaptionRules}
 * bounds). Without them one record with a 9 MB id grows past the 16 MiB record limit once ingest writes it keyed by
 * that id, and the Streams task fails on every retry. Lengths are Unicode characters (code points), as for captions;
 * at these limits the fields take at most about 4.5 MB of UTF-8 together. The same numbers are in the schema's docs.
 */
public final class FieldLimits {

    /** Longest pair id: content hashes have 64; room for URLs and other ids of the producer's own. */
    public static final int MAX_ID_CHARS = 512;
    /** Longest label (class name). */
    public static final int MAX_LABEL_CHARS = 512;
    /** Longest source (dataset name, file, {@code http}). */
    public static final int MAX_SOURCE_CHARS = 1_024;
    /** Most entries in the attribute map (CUB-200 has 30 attribute kinds). */
    public static final int MAX_ATTRIBUTES = 128;
    /** Longest attribute name. */
    public static final int MAX_ATTRIBUTE_KEY_CHARS = 256;
    /** Longest attribute value (AWA2's comma-joined predicates take about 1,000). */
    public static final int MAX_ATTRIBUTE_VALUE_CHARS = 8_192;

    private FieldLimits() {
    }

    /**
     * Checks a decoded pair's id, label, source and attributes.
     *
     * @throws PairRejectedException with {@link RejectReason#ID_TOO_LONG} (no record id then: it is the problem) or
     *         {@link RejectReason#FIELD_TOO_LONG}
     */
    static void check(ImageCaptionPair pair) throws PairRejectedException {
        String id = pair.getId();
        int idChars = chars(id);
        if (idChars > MAX_ID_CHARS) {
            throw new PairRejectedException(RejectReason.ID_TOO_LONG, String.format(Locale.ROOT,
                    "id has %,d characters, more than the %,d allowed (starts \"%s\")", idChars, MAX_ID_CHARS,
                    id.substring(0, id.offsetByCodePoints(0, 32))), null);
        }
        field("label", pair.getLabel(), MAX_LABEL_CHARS, id);
        field("source", pair.getSource(), MAX_SOURCE_CHARS, id);
        Map<String, String> attributes = pair.getAttributes();
        if (attributes == null) {
            return;
        }
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new PairRejectedException(RejectReason.FIELD_TOO_LONG, String.format(Locale.ROOT,
                    "attributes has %,d entries, more than the %,d allowed", attributes.size(), MAX_ATTRIBUTES), id);
        }
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            field("an attribute name", attribute.getKey(), MAX_ATTRIBUTE_KEY_CHARS, id);
            field("attribute " + clip(attribute.getKey()), attribute.getValue(), MAX_ATTRIBUTE_VALUE_CHARS, id);
        }
    }

    private static void field(String name, CharSequence value, int max, String id) throws PairRejectedException {
        int length = chars(value);
        if (length > max) {
            throw new PairRejectedException(RejectReason.FIELD_TOO_LONG, String.format(Locale.ROOT,
                    "%s has %,d characters, more than the %,d allowed", name, length, max), id);
        }
    }

    private static int chars(CharSequence value) {
        return value == null ? 0 : Character.codePointCount(value, 0, value.length());
    }

    private static String clip(String key) {
        return key.length() <= 64 ? key : key.substring(0, 64) + "...";
    }
}
