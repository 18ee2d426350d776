package dev.kclip.ingest.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.ingest.TestImages;
import dev.kclip.ingest.TestPairs;
import dev.kclip.ingest.image.ImageNormalizer;
import dev.kclip.ingest.image.ImageSettings;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.validate.CaptionRules;
import dev.kclip.ingest.validate.PairValidator;
import dev.kclip.ingest.validate.RejectReason;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.fuzz.RecordMutator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the ingest topology: 10,000 records, each valid pair followed by a mutated copy of itself. Every
 * valid pair comes out exactly as validating it alone gives; every mutated one comes out as a pair, is dropped as a
 * duplicate of its original, or is dead-lettered with one of ingest's reason codes. No record fails the topology.
 */
class IngestFuzzTest {

    private static final long SEED = 16;
    private static final int RECORDS = 10_000;
    private static final IngestTopics TOPICS = new IngestTopics("raw", "pairs", "dlq");
    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    private static final AvroCodec<DeadLetter> LETTERS = AvroCodec.forClass(DeadLetter.class);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path stateDir;

    @Test
    void everyValidPairComesOutAndEveryMutatedOneIsProcessedOrDeadLettered() throws Exception {
        PairValidator validator = new PairValidator(new CaptionRules(1000), new ImageNormalizer(ImageSettings.DEFAULTS), CLOCK);
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "ingest-fuzz-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        RecordMutator mutator = new RecordMutator(SEED);
        List<byte[]> images = List.of(TestImages.png(TestImages.solid(4, 4, Color.RED)),
                TestImages.jpeg(TestImages.halves(8, 6, Color.BLUE, Color.WHITE)),
                TestImages.gif(TestImages.solid(3, 3, Color.GREEN)), TestImages.rgbaPng(5, 5, Color.ORANGE));
        // what ingest makes of each image (normalising is the costly part: once per image, not once per pair)
        List<ImageCaptionPair> normalised = new ArrayList<>();
        for (byte[] image : images) {
            normalised.add(validator.validate(TestPairs.raw(image, "template")));
        }
        Random ids = new Random(SEED);
        Map<String, ImageCaptionPair> expected = new HashMap<>();
        List<RecordMutator.Kind> mutationKinds = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(
                IngestTopology.build(TOPICS, validator, Duration.ofHours(1), metrics), props, CLOCK.instant())) {
            TestInputTopic<byte[], byte[]> raw = driver.createInputTopic("raw", new ByteArraySerializer(), new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic("pairs", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            TestOutputTopic<byte[], byte[]> dlq = driver.createOutputTopic("dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
            for (int i = 0; i < RECORDS / 2; i++) {
                ImageCaptionPair pair = TestPairs.pair(images.get(i % images.size()), "pair number " + i);
                // random ids: a bit flip in one must not give another valid pair's id (it would be a duplicate)
                pair.setId(String.format("valid-%016x", ids.nextLong()));
                if (i % 3 == 0) {
                    pair.setLabel("label " + (i % 7));
                    pair.setAttributes(Map.of("category", "c" + (i % 5)));
                }
                byte[] value = RawPairProducer.encode(pair);
                expected.put(pair.getId(), ImageCaptionPair.newBuilder(normalised.get(i % images.size()))
                        .setId(pair.getId()).setCaption(pair.getCaption()).setLabel(pair.getLabel())
                        .setAttributes(pair.getAttributes()).build());
                raw.pipeInput(pair.getId().getBytes(StandardCharsets.UTF_8), value);
                RecordMutator.Mutation mutation = mutator.mutate(value);
                mutationKinds.add(mutation.kind());
                raw.pipeInput(("mutated-" + i).getBytes(StandardCharsets.UTF_8), mutation.bytes());
            }

            List<KeyValue<byte[], byte[]>> accepted = out.readKeyValuesToList();
            List<KeyValue<byte[], byte[]>> letters = dlq.readKeyValuesToList();
            Map<String, byte[]> byId = new HashMap<>();
            for (KeyValue<byte[], byte[]> record : accepted) {
                ImageCaptionPair pair = PAIRS.decode(record.value);
                assertEquals(pair.getId(), new String(record.key, StandardCharsets.UTF_8));
                byId.putIfAbsent(pair.getId(), record.value);
            }
            for (Map.Entry<String, ImageCaptionPair> valid : expected.entrySet()) {
                assertNotNull(byId.get(valid.getKey()), valid.getKey() + " came out");
                assertEquals(valid.getValue(), PAIRS.decode(byId.get(valid.getKey())), valid.getKey() + " unchanged");
            }
            Set<String> codes = Arrays.stream(RejectReason.values()).map(Enum::name).collect(Collectors.toSet());
            for (KeyValue<byte[], byte[]> record : letters) {
                DeadLetter letter = LETTERS.decode(record.value);
                assertTrue(codes.contains(letter.getReasonCode()), letter.getReasonCode());
                assertTrue(new String(record.key, StandardCharsets.UTF_8).startsWith("mutated-"), "only mutated records rejected");
            }
            // every input is accounted for: accepted, dropped as a duplicate, or dead-lettered
            assertEquals(RECORDS, accepted.size() + (long) metrics.duplicateCount() + letters.size());
            assertTrue(letters.size() > RECORDS / 4, letters.size() + " mutated records rejected");
            assertEquals(EnumSet.allOf(RecordMutator.Kind.class), EnumSet.copyOf(mutationKinds));
        }
    }
}
