package dev.kclip.ingest.validate;

import dev.kclip.datasets.image.ImageRejectedException;
import dev.kclip.ingest.image.ImageNormalizer;
import dev.kclip.ingest.image.NormalizedImage;
import dev.kclip.schemas.AvroBytes;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.schemas.serde.RecordDecodingException;
import dev.kclip.schemas.serde.SchemaCatalog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;

/**
 * Everything ingest checks about one record, in two steps so that a duplicate can be dropped after the cheap
 * one: {@link #decode} (is it an {@code ImageCaptionPair}? which id?) and {@link #normalize} (caption rules,
 * image checks and normalisation). Rejections carry a {@link RejectReason}. Thread-safe.
 */
public final class PairValidator {

    private final AvroCodec<ImageCaptionPair> codec;
    private final SchemaCatalog catalog;
    private final CaptionRules captions;
    private final ImageNormalizer images;
    private final Clock clock;

    public PairValidator(CaptionRules captions, ImageNormalizer images, Clock clock) {
        this.catalog = SchemaCatalog.bundled();
        this.codec = AvroCodec.forClass(ImageCaptionPair.class, catalog);
        this.captions = captions;
        this.images = images;
        this.clock = clock;
    }

    /**
     * Reads a record value.
     *
     * @throws PairRejectedException with {@link RejectReason#BAD_RECORD} when the bytes are not a pair, with
     *         {@link RejectReason#ID_TOO_LONG} or {@link RejectReason#FIELD_TOO_LONG} when a field exceeds its
     *         {@link FieldLimits} (checked here, so an oversized id never reaches the de-duplication store)
     */
    public DecodedPair decode(byte[] value) throws PairRejectedException {
        if (value == null) {
            throw new PairRejectedException(RejectReason.BAD_RECORD, "record has no value", null);
        }
        ImageCaptionPair pair;
        try {
            pair = codec.decode(value);
        } catch (RecordDecodingException e) {
            throw new PairRejectedException(RejectReason.BAD_RECORD, e.getMessage(), null);
        }
        FieldLimits.check(pair);
        byte[] captionBytes = WireCaption.read(value, catalog)
                .orElseGet(() -> pair.getCaption().getBytes(StandardCharsets.UTF_8));
        if (pair.getId() == null || pair.getId().isBlank()) {
            pair.setId(PairIds.contentHash(AvroBytes.toArray(pair.getImage()), pair.getCaption()));
        }
        return new DecodedPair(pair, captionBytes);
    }

    /**
     * Checks the caption and the image and returns the pair as it goes on: caption trimmed, image upright, RGB,
     * bounded and re-encoded, its real width and height recorded, ingest time set when missing.
     *
     * @throws PairRejectedException with the reason the pair cannot go on
     */
    public ImageCaptionPair normalize(DecodedPair decoded) throws PairRejectedException {
        ImageCaptionPair pair = decoded.pair();
        String caption;
        try {
            caption = captions.check(decoded.captionBytes());
        } catch (PairRejectedException e) {
            throw e.withRecordId(pair.getId());
        }
        NormalizedImage image;
        try {
            image = images.normalize(AvroBytes.toArray(pair.getImage()));
        } catch (ImageRejectedException e) {
            RejectReason reason = switch (e.problem()) {
                case UNSUPPORTED_FORMAT -> RejectReason.UNSUPPORTED_FORMAT;
                case TOO_LARGE -> RejectReason.IMAGE_TOO_LARGE;
                case UNDECODABLE -> RejectReason.UNDECODABLE_IMAGE;
            };
            throw new PairRejectedException(reason, e.getMessage(), pair.getId());
        }
        Instant ingestTime = pair.getIngestTime() == null || pair.getIngestTime().equals(Instant.EPOCH)
                ? clock.instant() : pair.getIngestTime();
        return ImageCaptionPair.newBuilder(pair)
                .setCaption(caption)
                .setImage(ByteBuffer.wrap(image.bytes()))
                .setMediaType(image.mediaType())
                .setWidth(image.width())
                .setHeight(image.height())
                .setIngestTime(ingestTime)
                .build();
    }

    /** Both steps. */
    public ImageCaptionPair validate(byte[] value) throws PairRejectedException {
        return normalize(decode(value));
    }
}
