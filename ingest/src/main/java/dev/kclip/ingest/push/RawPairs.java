package dev.kclip.ingest.push;

import dev.kclip.datasets.image.ImageFormat;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

/** Builds the {@link ImageCaptionPair} a producer sends to the raw topic (push and HTTP intake alike). */
public final class RawPairs {

    /** Media type of bytes that are not a recognised image; ingest will reject them. */
    public static final String UNKNOWN_MEDIA_TYPE = "application/octet-stream";

    private RawPairs() {
    }

    /**
     * A raw pair: id = content hash of image and caption (so the same pair pushed twice has one id), media type
     * sniffed from the bytes, width and height 0 (ingest fills them in), event and ingest time {@code now}.
     */
    public static ImageCaptionPair of(byte[] image, String caption, String label, Map<String, String> attributes,
            String source, Instant now) {
        return ImageCaptionPair.newBuilder()
                .setId(PairIds.contentHash(image, caption))
                .setCaption(caption)
                .setImage(ByteBuffer.wrap(image))
                .setMediaType(ImageFormat.sniff(image).map(ImageFormat::mediaType).orElse(UNKNOWN_MEDIA_TYPE))
                .setWidth(0)
                .setHeight(0)
                .setSource(source)
                .setLabel(label)
                .setAttributes(Map.copyOf(attributes))
                .setEventTime(now)
                .setIngestTime(now)
                .build();
    }
}
