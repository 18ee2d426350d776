package dev.kclip.ingest.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.ingest.ForeignProducer;
import dev.kclip.ingest.TestImages;
import dev.kclip.ingest.TestPairs;
import dev.kclip.ingest.image.ImageNormalizer;
import dev.kclip.ingest.image.ImageSettings;
import dev.kclip.ingest.validate.CaptionRules;
import dev.kclip.ingest.validate.FieldLimits;
import dev.kclip.ingest.validate.PairValidator;
import dev.kclip.ingest.validate.RejectReason;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestTopologyTest {

    private static final IngestTopics TOPICS = new IngestTopics("raw", "pairs", "dlq");
    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    private static final AvroCodec<DeadLetter> LETTERS = AvroCodec.forClass(DeadLetter.class);
    private static final Duration WINDOW = Duration.ofHours(1);

    @TempDir
    Path stateDir;

    private IngestMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<byte[], byte[]> pairs;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void start() {
        start(1000);
    }

    private void start(int maxCaptionChars) {
        metrics = new IngestMetrics(new SimpleMeterRegistry());
        PairValidator validator = new PairValidator(new CaptionRules(maxCaptionChars),
                new ImageNormalizer(ImageSettings.DEFAULTS), Clock.systemUTC());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ingest-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(IngestTopology.build(TOPICS, validator, WINDOW, metrics), props,
                Instant.parse("2025-01-01T00:00:00Z"));
        raw = driver.createInputTopic("raw", new ByteArraySerializer(), new ByteArraySerializer());
        pairs = driver.createOutputTopic("pairs", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void validPairIsNormalisedAndKeyedById() {
        ImageCaptionPair pair = TestPairs.pair(TestImages.rgbaPng(64, 64, Color.GREEN), " a green square ");
        raw.pipeInput(key(pair), PAIRS.encode(pair));

        KeyValue<byte[], byte[]> out = pairs.readKeyValue();
        ImageCaptionPair normalised = PAIRS.decode(out.value);
        assertEquals(pair.getId(), new String(out.key, StandardCharsets.UTF_8));
        assertEquals(pair.getId(), normalised.getId());
        assertEquals("a green square", normalised.getCaption());
        assertEquals("image/jpeg", normalised.getMediaType());
        assertEquals(64, normalised.getWidth());
        assertEquals(64, normalised.getHeight());
        assertTrue(deadLetters.isEmpty());
        assertEquals(1.0, metrics.acceptedCount());
    }

    @Test
    void duplicatesWithinTheWindowAreDroppedAndAcceptedAgainAfterIt() {
        ImageCaptionPair pair = TestPairs.pair(TestImages.png(TestImages.solid(8, 8, Color.RED)), "red");
        ImageCaptionPair other = TestPairs.pair(TestImages.png(TestImages.solid(8, 8, Color.BLUE)), "blue");

        raw.pipeInput(key(pair), PAIRS.encode(pair));
        raw.pipeInput(key(other), PAIRS.encode(other));
        driver.advanceWallClockTime(Duration.ofMinutes(59));
        raw.pipeInput(key(pair), PAIRS.encode(pair));
        assertEquals(List.of(pair.getId(), other.getId()), keys(pairs.readKeyValuesToList()));
        assertEquals(1.0, metrics.duplicateCount());

        driver.advanceWallClockTime(Duration.ofMinutes(2));
        raw.pipeInput(key(pair), PAIRS.encode(pair));
        assertEquals(List.of(pair.getId()), keys(pairs.readKeyValuesToList()), "61 minutes later the 1 h window is over");
    }

    @Test
    void aRejectedPairDoesNotBlockALaterValidOneWithTheSameId() {
        ImageCaptionPair bad = TestPairs.pair(TestImages.textFile(), "same id");
        ImageCaptionPair good = TestPairs.pair(TestImages.png(TestImages.solid(8, 8, Color.RED)), "same id");
        good.setId(bad.getId());

        raw.pipeInput(key(bad), PAIRS.encode(bad));
        raw.pipeInput(key(good), PAIRS.encode(good));

        assertEquals(1, deadLetters.readValuesToList().size());
        assertEquals(List.of(bad.getId()), keys(pairs.readKeyValuesToList()));
    }

    @Test
    void everyRejectGoesToTheDeadLettersWithReasonAndOriginalBytesUnlessNotAnImage() {
        byte[] image = TestImages.png(TestImages.solid(16, 16, Color.RED));
        byte[] randomBytes = "definitely not avro, just some bytes".getBytes(StandardCharsets.UTF_8);
        byte[] badUtf8 = ForeignProducer.withRawCaption(TestPairs.pair(image, "x"), new byte[] {(byte) 0xFF, 'a'});
        List<byte[]> inputs = List.of(
                TestPairs.raw(TestImages.truncated(TestImages.jpeg(TestImages.solid(300, 200, Color.RED))), "cut"),
                TestPairs.raw(TestImages.bombPng(100_000, 100_000), "bomb"),
                TestPairs.raw(new byte[0], "empty"),
                TestPairs.raw(TestImages.textFile(), "photo.jpg"),
                TestPairs.raw(image, " "),
                TestPairs.raw(image, "y".repeat(100 * 1024)),
                badUtf8,
                randomBytes);
        List<RejectReason> expected = List.of(RejectReason.UNDECODABLE_IMAGE, RejectReason.IMAGE_TOO_LARGE,
                RejectReason.UNDECODABLE_IMAGE, RejectReason.UNSUPPORTED_FORMAT, RejectReason.EMPTY_CAPTION,
                RejectReason.CAPTION_TOO_LONG, RejectReason.BAD_UTF8, RejectReason.BAD_RECORD);
        for (int i = 0; i < inputs.size(); i++) {
            raw.pipeInput(("k" + i).getBytes(StandardCharsets.UTF_8), inputs.get(i));
        }
        raw.pipeInput("tombstone".getBytes(StandardCharsets.UTF_8), (byte[]) null);

        List<KeyValue<byte[], byte[]>> letters = deadLetters.readKeyValuesToList();
        assertEquals(inputs.size() + 1, letters.size());
        for (int i = 0; i < inputs.size(); i++) {
            DeadLetter letter = LETTERS.decode(letters.get(i).value);
            assertEquals(expected.get(i).name(), letter.getReasonCode(), "input " + i + ": " + letter.getMessage());
            assertEquals("k" + i, new String(letters.get(i).key, StandardCharsets.UTF_8));
            if (expected.get(i) == RejectReason.UNSUPPORTED_FORMAT) {
                assertNull(letter.getOriginalValue(), "a non-image does not travel on with its bytes");
                assertTrue(letter.getMessage().contains("original value of " + inputs.get(i).length + " bytes left out"),
                        letter.getMessage());
            } else {
                assertArrayEquals(inputs.get(i), bytes(letter.getOriginalValue()), "original bytes kept");
            }
            assertEquals("raw", letter.getSourceTopic());
            assertEquals(i, letter.getSourceOffset());
            assertEquals("ingest", letter.getStage());
        }
        DeadLetter tombstone = LETTERS.decode(letters.get(inputs.size()).value);
        assertEquals("BAD_RECORD", tombstone.getReasonCode());
        assertNull(tombstone.getOriginalValue());
        assertNull(LETTERS.decode(letters.get(7).value).getRecordId(), "random bytes have no id");
        assertTrue(pairs.isEmpty());
        assertEquals(2.0, metrics.rejectedCount(RejectReason.UNDECODABLE_IMAGE));
        assertEquals(2.0, metrics.rejectedCount(RejectReason.BAD_RECORD));
    }

    @Test
    void oversizedFieldsAreDeadLetteredWithTheirOriginalBytesAndTheStreamGoesOn() {
        byte[] image = TestImages.png(TestImages.solid(8, 8, Color.RED));
        ImageCaptionPair hugeId = TestPairs.pair(image, "a 9 MB id");
        hugeId.setId("i".repeat(9 * 1024 * 1024));
        ImageCaptionPair longLabel = TestPairs.pair(image, "long label");
        longLabel.setLabel("l".repeat(FieldLimits.MAX_LABEL_CHARS + 1));
        ImageCaptionPair longValue = TestPairs.pair(image, "long attribute value");
        longValue.setAttributes(Map.of("tags", "t".repeat(FieldLimits.MAX_ATTRIBUTE_VALUE_CHARS + 1)));
        ImageCaptionPair manyAttributes = TestPairs.pair(image, "many attributes");
        Map<String, String> attributes = new HashMap<>();
        for (int i = 0; i <= FieldLimits.MAX_ATTRIBUTES; i++) {
            attributes.put("a" + i, "v");
        }
        manyAttributes.setAttributes(attributes);
        ImageCaptionPair atTheLimits = TestPairs.pair(image, "at every limit");
        atTheLimits.setId("😀".repeat(FieldLimits.MAX_ID_CHARS));
        atTheLimits.setAttributes(Map.of("k".repeat(FieldLimits.MAX_ATTRIBUTE_KEY_CHARS),
                "v".repeat(FieldLimits.MAX_ATTRIBUTE_VALUE_CHARS)));
        List<ImageCaptionPair> bad = List.of(hugeId, longLabel, longValue, manyAttributes);
        for (int i = 0; i < bad.size(); i++) {
            raw.pipeInput(("k" + i).getBytes(StandardCharsets.UTF_8), PAIRS.encode(bad.get(i)));
        }
        raw.pipeInput(key(atTheLimits), PAIRS.encode(atTheLimits));

        List<KeyValue<byte[], byte[]>> letters = deadLetters.readKeyValuesToList();
        assertEquals(List.of("ID_TOO_LONG", "FIELD_TOO_LONG", "FIELD_TOO_LONG", "FIELD_TOO_LONG"),
                letters.stream().map(l -> LETTERS.decode(l.value).getReasonCode()).toList());
        for (int i = 0; i < bad.size(); i++) {
            assertArrayEquals(PAIRS.encode(bad.get(i)), bytes(LETTERS.decode(letters.get(i).value).getOriginalValue()));
        }
        DeadLetter idLetter = LETTERS.decode(letters.get(0).value);
        assertNull(idLetter.getRecordId(), "the 9 MB id is not repeated as the record id");
        assertTrue(idLetter.getMessage().contains("9,437,184 characters"), idLetter.getMessage());
        assertTrue(LETTERS.decode(letters.get(3).value).getMessage().contains("129 entries"));
        assertEquals(List.of(atTheLimits.getId()), keys(pairs.readKeyValuesToList()), "the limits themselves pass");
        assertEquals(3.0, metrics.rejectedCount(RejectReason.FIELD_TOO_LONG));
    }

    @Test
    void aKeyTooLargeToTravelTwiceIsLeftOutOfItsDeadLetter() {
        byte[] hugeKey = new byte[9 * 1024 * 1024];
        Arrays.fill(hugeKey, (byte) 'k');
        raw.pipeInput(hugeKey, "not a pair".getBytes(StandardCharsets.UTF_8));

        KeyValue<byte[], byte[]> out = deadLetters.readKeyValue();
        DeadLetter letter = LETTERS.decode(out.value);
        assertEquals("BAD_RECORD", letter.getReasonCode());
        assertNull(out.key);
        assertNull(letter.getOriginalKey());
        assertNull(letter.getOriginalValue());
        assertTrue(letter.getMessage().contains("original key of 9437184 bytes left out"), letter.getMessage());
    }

    @Test
    void anOutputLargerThanARecordIsDeadLetteredWithoutItsValue() {
        driver.close();
        start(5_000_000); // a caption limit loose enough to let 16 MiB of caption through
        ImageCaptionPair huge = TestPairs.pair(TestImages.png(TestImages.solid(8, 8, Color.RED)), "😀".repeat(4_200_000));
        ImageCaptionPair small = TestPairs.pair(TestImages.png(TestImages.solid(8, 8, Color.BLUE)), "small");
        raw.pipeInput(key(huge), PAIRS.encode(huge));
        raw.pipeInput(key(small), PAIRS.encode(small));

        KeyValue<byte[], byte[]> out = deadLetters.readKeyValue();
        DeadLetter letter = LETTERS.decode(out.value);
        assertEquals("OUTPUT_TOO_LARGE", letter.getReasonCode(), letter.getMessage());
        assertNull(letter.getOriginalValue());
        assertEquals(huge.getId(), letter.getRecordId());
        assertTrue(out.value.length < 1024 * 1024);
        assertEquals(List.of(small.getId()), keys(pairs.readKeyValuesToList()), "the stage goes on");
        assertEquals(1.0, metrics.rejectedCount(RejectReason.OUTPUT_TOO_LARGE));
    }

    private static byte[] key(ImageCaptionPair pair) {
        return pair.getId().getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(List<KeyValue<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.key, StandardCharsets.UTF_8)).toList();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
