package dev.kclip.ingest.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.ingest.ForeignProducer;
import dev.kclip.ingest.TestImages;
import dev.kclip.ingest.TestPairs;
import dev.kclip.ingest.image.ImageNormalizer;
import dev.kclip.ingest.image.ImageSettings;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.serde.AvroCodec;
import java.awt.Color;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PairValidatorTest {

    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
    private final PairValidator validator = new PairValidator(new CaptionRules(1000),
            new ImageNormalizer(ImageSettings.DEFAULTS), Clock.fixed(NOW, ZoneOffset.UTC));
    private final byte[] image = TestImages.png(TestImages.solid(600, 300, Color.ORANGE));

    @Test
    void validPairComesOutNormalisedWithItsIdKept() throws Exception {
        ImageCaptionPair raw = TestPairs.pair(image, "  an orange rectangle ");

        ImageCaptionPair out = validator.validate(RawPairProducer.encode(raw));

        assertEquals(raw.getId(), out.getId());
        assertEquals(PairIds.contentHash(image, "  an orange rectangle "), out.getId(), "id stays the hash of what was pushed");
        assertEquals("an orange rectangle", out.getCaption());
        assertEquals("image/jpeg", out.getMediaType());
        assertEquals(256, out.getWidth());
        assertEquals(128, out.getHeight());
        assertEquals(raw.getIngestTime(), out.getIngestTime(), "ingest time set by the producer is kept");
        assertEquals("test", out.getSource());
    }

    @Test
    void blankIdAndIngestTimeAreFilledIn() throws Exception {
        ImageCaptionPair raw = TestPairs.pair(image, "orange");
        raw.setId("");
        raw.setIngestTime(Instant.EPOCH);

        DecodedPair decoded = validator.decode(RawPairProducer.encode(raw));
        ImageCaptionPair out = validator.normalize(decoded);

        assertEquals(PairIds.contentHash(image, "orange"), decoded.id());
        assertEquals(NOW, out.getIngestTime());
    }

    @Test
    void invalidUtf8WrittenByAForeignProducerIsBadUtf8() {
        ImageCaptionPair raw = TestPairs.pair(image, "placeholder");
        byte[] wire = ForeignProducer.withRawCaption(raw, new byte[] {'c', 'a', 'f', (byte) 0xE9}); // Latin-1 é

        // Avro itself reads it without complaint, replacing the byte
        assertEquals("caf\uFFFD", AvroCodec.forClass(ImageCaptionPair.class).decode(wire).getCaption());
        PairRejectedException e = assertThrows(PairRejectedException.class, () -> validator.validate(wire));

        assertEquals(RejectReason.BAD_UTF8, e.reason());
        assertEquals(raw.getId(), e.recordId());
    }

    @Test
    void aGenuineReplacementCharacterIsValid() throws Exception {
        ImageCaptionPair out = validator.validate(TestPairs.raw(image, "unknown glyph \uFFFD"));
        assertEquals("unknown glyph \uFFFD", out.getCaption());
    }

    @Test
    void bytesThatAreNotAPairAreBadRecords() {
        byte[] random = new byte[300];
        new Random(7).nextBytes(random);
        PairRejectedException e = assertThrows(PairRejectedException.class, () -> validator.decode(random));
        assertEquals(RejectReason.BAD_RECORD, e.reason());
        assertNull(e.recordId());

        byte[] deadLetter = DeadLetters.encode(DeadLetters.of(null, new byte[] {1}, "t", 0, 0, "ingest", "X", "m", null));
        PairRejectedException other = assertThrows(PairRejectedException.class, () -> validator.decode(deadLetter));
        assertEquals(RejectReason.BAD_RECORD, other.reason());
        assertTrue(other.getMessage().contains("fingerprint"), other.getMessage());

        byte[] pair = TestPairs.raw(image, "cut short");
        byte[] truncated = java.util.Arrays.copyOf(pair, pair.length / 2);
        assertEquals(RejectReason.BAD_RECORD, assertThrows(PairRejectedException.class, () -> validator.decode(truncated)).reason());
        assertEquals(RejectReason.BAD_RECORD, assertThrows(PairRejectedException.class, () -> validator.decode(null)).reason());
    }

    @Test
    void imageProblemsMapToTheirReasons() {
        assertEquals(RejectReason.IMAGE_TOO_LARGE, reason(TestImages.bombPng(100_000, 100_000), "bomb"));
        assertEquals(RejectReason.UNDECODABLE_IMAGE, reason(new byte[0], "nothing"));
        assertEquals(RejectReason.UNDECODABLE_IMAGE, reason(TestImages.truncated(TestImages.jpeg(TestImages.solid(300, 200, Color.RED))), "cut"));
        assertEquals(RejectReason.UNSUPPORTED_FORMAT, reason(TestImages.textFile(), "photo.jpg"));
        assertEquals(RejectReason.EMPTY_CAPTION, reason(image, "   "));
        assertEquals(RejectReason.CAPTION_TOO_LONG, reason(image, "x".repeat(100 * 1024)));
    }

    @Test
    void captionIsCheckedBeforeTheImage() {
        assertEquals(RejectReason.EMPTY_CAPTION, reason(TestImages.textFile(), ""));
    }

    private RejectReason reason(byte[] imageBytes, String caption) {
        byte[] value = TestPairs.raw(imageBytes, caption);
        PairRejectedException e = assertThrows(PairRejectedException.class, () -> validator.validate(value));
        assertEquals(PairIds.contentHash(imageBytes, caption), e.recordId());
        return e.reason();
    }
}
