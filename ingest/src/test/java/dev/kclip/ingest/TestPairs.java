package dev.kclip.ingest;

import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.push.RawPairs;
import dev.kclip.schemas.ImageCaptionPair;
import java.time.Instant;
import java.util.Map;

/** Raw pairs as {@code kclip push} would send them. */
public final class TestPairs {

    private TestPairs() {
    }

    public static ImageCaptionPair pair(byte[] image, String caption) {
        return RawPairs.of(image, caption, null, Map.of(), "test", Instant.parse("2024-05-01T12:00:00Z"));
    }

    /** The encoded record value. */
    public static byte[] raw(byte[] image, String caption) {
        return RawPairProducer.encode(pair(image, caption));
    }
}
