package dev.kclip.ingest.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.ingest.ForeignProducer;
import dev.kclip.ingest.IngestItSupport;
import dev.kclip.ingest.IngestService;
import dev.kclip.ingest.TestImages;
import dev.kclip.ingest.TestPairs;
import dev.kclip.ingest.validate.RejectReason;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream mixing valid pairs (real-world image variants and real emoji) with every kind of bad record: each bad
 * one lands in the dead letters with its reason code and original bytes, each valid one in the output, in input
 * order per partition.
 */
@ExtendWith(KafkaBrokerExtension.class)
class IngestMixedStreamIT {

    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    private static final AvroCodec<DeadLetter> LETTERS = AvroCodec.forClass(DeadLetter.class);

    /** One input record and what must become of it (null reason: valid). */
    private record Input(String key, byte[] value, RejectReason expected) {
    }

    @TempDir
    Path stateDir;

    @Test
    void badRecordsAreDeadLetteredWithTheirReasonAndGoodOnesPassInOrder(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        IngestTopics topics = IngestItSupport.uniqueTopics("mixed");
        List<Input> inputs = interleave(validInputs(), badInputs());
        IngestItSupport.createTopics(kafka, topics);

        Map<String, RecordMetadata> written = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producer(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Input input : inputs) {
                written.put(input.key(), producer.send(new ProducerRecord<>(topics.input(),
                        input.key().getBytes(StandardCharsets.UTF_8), input.value())).get());
            }
        }
        try (IngestService service = IngestService.start(IngestItSupport.config(topics, stateDir), kafka, new SimpleMeterRegistry())) {
            IngestItSupport.awaitCaughtUp(kafka, service.config().applicationId(), topics.input(), Duration.ofSeconds(90));
            assertEquals(inputs.stream().filter(i -> i.expected() == null).count(), (long) service.metrics().acceptedCount());
        }
        List<ConsumerRecord<byte[], byte[]>> output = IngestItSupport.readAll(kafka, topics.output());
        List<ConsumerRecord<byte[], byte[]>> letters = IngestItSupport.readAll(kafka, topics.deadLetters());

        // every bad record: its reason, its original bytes, where it came from
        List<Input> bad = inputs.stream().filter(i -> i.expected() != null).toList();
        assertEquals(bad.size(), letters.size());
        Map<String, DeadLetter> letterByKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : letters) {
            letterByKey.put(new String(record.key(), StandardCharsets.UTF_8), LETTERS.decode(record.value()));
        }
        for (Input input : bad) {
            DeadLetter letter = letterByKey.get(input.key());
            assertEquals(input.expected().name(), letter.getReasonCode(), input.key() + ": " + letter.getMessage());
            if (input.expected() == RejectReason.UNSUPPORTED_FORMAT) {
                assertNull(letter.getOriginalValue(), input.key() + ": a non-image travels without its bytes");
            } else {
                assertArrayEquals(input.value(), bytes(letter.getOriginalValue()), input.key());
            }
            assertEquals(written.get(input.key()).partition(), letter.getSourcePartition());
            assertEquals(written.get(input.key()).offset(), letter.getSourceOffset());
            assertEquals(topics.input(), letter.getSourceTopic());
        }
        assertTrue(letterByKey.get("bomb").getMessage().contains("100000 x 100000"), letterByKey.get("bomb").getMessage());
        // dead letters keep the order of each source partition
        Map<Integer, List<Long>> letterOffsets = new TreeMap<>();
        letters.stream().map(r -> LETTERS.decode(r.value()))
                .forEach(l -> letterOffsets.computeIfAbsent(l.getSourcePartition(), p -> new ArrayList<>()).add(l.getSourceOffset()));
        letterOffsets.values().forEach(offsets -> assertEquals(offsets.stream().sorted().toList(), offsets));

        // every valid record, normalised, in the order it had in its partition
        Map<Integer, List<String>> expectedOrder = new TreeMap<>();
        inputs.stream().filter(i -> i.expected() == null)
                .sorted(Comparator.comparingLong(i -> written.get(i.key()).offset()))
                .forEach(i -> expectedOrder.computeIfAbsent(written.get(i.key()).partition(), p -> new ArrayList<>()).add(i.key()));
        Map<Integer, List<String>> actualOrder = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record : output) {
            ImageCaptionPair pair = PAIRS.decode(record.value());
            assertEquals(new String(record.key(), StandardCharsets.UTF_8), pair.getId());
            assertEquals("image/jpeg", pair.getMediaType());
            assertTrue(pair.getWidth() > 0 && pair.getWidth() <= 256 && pair.getHeight() > 0 && pair.getHeight() <= 256);
            actualOrder.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(pair.getId());
        }
        assertEquals(expectedOrder, actualOrder);
    }

    private static List<Input> validInputs() throws Exception {
        List<byte[]> images = new ArrayList<>(List.of(
                TestImages.jpeg(TestImages.halves(640, 480, Color.RED, Color.BLUE), true),
                TestImages.cmykJpeg(120, 80, 0, 255, 255, 0),
                TestImages.withExifOrientation(TestImages.jpeg(TestImages.halves(300, 100, Color.RED, Color.BLUE)), 6, true),
                TestImages.grayPng(50, 50, 90),
                TestImages.rgba16Png(40, 40, 0, 40_000, 65_535),
                TestImages.palettePngWithAlpha(40, 40, Color.MAGENTA),
                TestImages.animatedGif(30, 30, Color.YELLOW, Color.BLACK),
                TestImages.bmp(TestImages.solid(20, 10, Color.CYAN)),
                TestImages.WEBP_LOSSY));
        for (String emoji : List.of("1f600", "1f34e", "1f436")) {
            images.add(Files.readAllBytes(Path.of("../datasets/emoji-64/images/" + emoji + ".png")));
        }
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            ImageCaptionPair pair = TestPairs.pair(images.get(i), "valid image number " + i);
            inputs.add(new Input(pair.getId(), PAIRS.encode(pair), null));
        }
        return inputs;
    }

    private static List<Input> badInputs() {
        byte[] image = TestImages.png(TestImages.solid(16, 16, Color.RED));
        byte[] random = new byte[2_000];
        new Random(42).nextBytes(random);
        // keyed by id, this pair would be an 18 MB output record: past the 16 MiB limit, failing the task for ever
        ImageCaptionPair hugeId = TestPairs.pair(image, "a pair with a 9 MB id");
        hugeId.setId("x".repeat(9 * 1024 * 1024));
        return List.of(
                new Input("9mb-id", PAIRS.encode(hugeId), RejectReason.ID_TOO_LONG),
                new Input("truncated-jpeg", TestPairs.raw(TestImages.truncated(TestImages.jpeg(TestImages.halves(400, 300, Color.RED, Color.BLUE))), "cut"), RejectReason.UNDECODABLE_IMAGE),
                new Input("bomb", TestPairs.raw(TestImages.bombPng(100_000, 100_000), "bomb"), RejectReason.IMAGE_TOO_LARGE),
                new Input("zero-byte-image", TestPairs.raw(new byte[0], "nothing"), RejectReason.UNDECODABLE_IMAGE),
                new Input("text-named-jpg", TestPairs.raw(TestImages.textFile(), "photo.jpg"), RejectReason.UNSUPPORTED_FORMAT),
                new Input("empty-caption", TestPairs.raw(image, ""), RejectReason.EMPTY_CAPTION),
                new Input("100kb-caption", TestPairs.raw(image, "long ".repeat(20 * 1024)), RejectReason.CAPTION_TOO_LONG),
                new Input("invalid-utf8", ForeignProducer.withRawCaption(TestPairs.pair(image, "x"),
                        new byte[] {'n', 'a', (byte) 0xEF, 'v', 'e'}), RejectReason.BAD_UTF8),
                new Input("random-bytes", random, RejectReason.BAD_RECORD));
    }

    private static List<Input> interleave(List<Input> good, List<Input> bad) {
        List<Input> all = new ArrayList<>();
        for (int i = 0; i < Math.max(good.size(), bad.size()); i++) {
            if (i < good.size()) {
                all.add(good.get(i));
            }
            if (i < bad.size()) {
                all.add(bad.get(i));
            }
        }
        return all;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }
}
