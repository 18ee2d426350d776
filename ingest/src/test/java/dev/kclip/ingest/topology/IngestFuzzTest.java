package dev.kclip.ingest.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.ingest.TestImages;
import dev.kclip.ingest.TestPairs;
import dev.kclip.ingest.image.ImageNormalizer;
import dev.kclip.ingest.image.ImageSettings;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.validate.CaptionRules;
import dev.kclip.ingest.validate.PairRejectedException;
import dev.kclip.ingest.validate.PairValidator;
import dev.kclip.ingest.validate.RejectReason;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.fuzz.RecordMutator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.awt.Color;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the ingest topology's processor (decode, de-duplicate, validate, normalise, route), driven with
 * a mock context and an in-memory stand-in for its de-duplication window store (the topology test driver commits,
 * flushing its RocksDB store, after every record: minutes for 10,000; Kafka's own in-memory window store needs the
 * internals of a running Streams task): 10,000 records, each valid pair followed by a mutated copy of itself. Every
 * valid pair comes out exactly as validating it alone gives; every mutated one comes out as a pair, is dropped as a
 * duplicate of its original, or is dead-lettered with one of ingest's reason codes. No record fails the topology.
 */
class IngestFuzzTest {

    private static final long SEED = 16;
    private static final int RECORDS = 10_000;
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    private static final AvroCodec<DeadLetter> LETTERS = AvroCodec.forClass(DeadLetter.class);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void everyValidPairComesOutAndEveryMutatedOneIsProcessedOrDeadLettered() throws Exception {
        PairValidator validator = new PairValidator(new CaptionRules(1000), new ImageNormalizer(ImageSettings.DEFAULTS), CLOCK);
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry());
        MockProcessorContext<byte[], byte[]> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(CLOCK.millis());
        context.addStateStore(seenIds());
        ValidateProcessor processor = new ValidateProcessor(validator, WINDOW, metrics);
        processor.init(context);
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
        {
            long offset = 0;
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
                context.setRecordMetadata("raw", 0, offset++);
                processor.process(new Record<>(pair.getId().getBytes(StandardCharsets.UTF_8), value, 0L));
                RecordMutator.Mutation mutation = mutator.mutate(value);
                mutationKinds.add(mutation.kind());
                context.setRecordMetadata("raw", 0, offset++);
                processor.process(new Record<>(("mutated-" + i).getBytes(StandardCharsets.UTF_8), mutation.bytes(), 0L));
            }

            List<Record<byte[], byte[]>> accepted = forwarded(context, IngestTopology.OUTPUT_SINK);
            List<Record<byte[], byte[]>> letters = forwarded(context, IngestTopology.DEAD_LETTER_SINK);
            Map<String, byte[]> byId = new HashMap<>();
            for (Record<byte[], byte[]> record : accepted) {
                ImageCaptionPair pair = PAIRS.decode(record.value());
                assertEquals(pair.getId(), new String(record.key(), StandardCharsets.UTF_8));
                byId.putIfAbsent(pair.getId(), record.value());
            }
            for (Map.Entry<String, ImageCaptionPair> valid : expected.entrySet()) {
                assertNotNull(byId.get(valid.getKey()), valid.getKey() + " came out");
                assertEquals(valid.getValue(), PAIRS.decode(byId.get(valid.getKey())), valid.getKey() + " unchanged");
            }
            Set<String> codes = Arrays.stream(RejectReason.values()).map(Enum::name).collect(Collectors.toSet());
            for (Record<byte[], byte[]> record : letters) {
                DeadLetter letter = LETTERS.decode(record.value());
                assertTrue(codes.contains(letter.getReasonCode()), letter.getReasonCode());
                assertTrue(new String(record.key(), StandardCharsets.UTF_8).startsWith("mutated-"), "only mutated records rejected");
            }
            // every input is accounted for: accepted, dropped as a duplicate, or dead-lettered
            assertEquals(RECORDS, accepted.size() + (long) metrics.duplicateCount() + letters.size());
            assertTrue(letters.size() > RECORDS / 4, letters.size() + " mutated records rejected");
            assertEquals(EnumSet.allOf(RecordMutator.Kind.class), EnumSet.copyOf(mutationKinds));
        }
    }

    @Test
    void aValueDeclaringAOneGibibyteStringIsABadRecord() {
        PairValidator validator = new PairValidator(new CaptionRules(1000), new ImageNormalizer(ImageSettings.DEFAULTS), CLOCK);
        byte[] value = RecordMutator.declaringFirstString(
                TestPairs.raw(TestImages.png(TestImages.solid(4, 4, Color.RED)), "red"), 1L << 30);
        PairRejectedException e = assertThrows(PairRejectedException.class, () -> validator.decode(value));
        assertEquals(RejectReason.BAD_RECORD, e.reason());
        assertTrue(e.getMessage().contains("declares 1073741824 bytes"), e.getMessage());
    }

    /** The de-duplication store as the processor uses it: put an id at a time, fetch an id's times in a range. */
    @SuppressWarnings("unchecked")
    private static WindowStore<String, Long> seenIds() {
        Map<String, List<Long>> times = new HashMap<>();
        return (WindowStore<String, Long>) Proxy.newProxyInstance(IngestFuzzTest.class.getClassLoader(),
                new Class<?>[] {WindowStore.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> IngestTopology.SEEN_IDS_STORE;
                    case "put" -> {
                        times.computeIfAbsent((String) args[0], k -> new ArrayList<>()).add((Long) args[2]);
                        yield null;
                    }
                    case "fetch" -> {
                        long from = (Long) args[1];
                        long to = (Long) args[2];
                        Iterator<Long> seen = times.getOrDefault((String) args[0], List.of()).stream()
                                .filter(t -> t >= from && t <= to).toList().iterator();
                        yield new WindowStoreIterator<Long>() {
                            @Override
                            public void close() {
                            }

                            @Override
                            public Long peekNextKey() {
                                throw new UnsupportedOperationException();
                            }

                            @Override
                            public boolean hasNext() {
                                return seen.hasNext();
                            }

                            @Override
                            public KeyValue<Long, Long> next() {
                                long t = seen.next();
                                return KeyValue.pair(t, t);
                            }
                        };
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static List<Record<byte[], byte[]>> forwarded(MockProcessorContext<byte[], byte[]> context, String sink) {
        List<Record<byte[], byte[]>> records = new ArrayList<>();
        context.forwarded(sink).forEach(f -> records.add(new Record<>(f.record().key(), f.record().value(), 0L)));
        return records;
    }
}
