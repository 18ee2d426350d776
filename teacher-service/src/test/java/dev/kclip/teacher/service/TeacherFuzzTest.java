package dev.kclip.teacher.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.service.BatchRouting.Pending;
import dev.kclip.teacher.service.BatchRouting.Routed;
import dev.kclip.teacher.service.CaptionEmbedder.Outcome;
import dev.kclip.testsupport.fuzz.RecordMutator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the teacher's record path (decode, price, embed with the llama2c test teacher, route to output
 * or dead letters), in batches as the service makes them: 10,000 records, each valid pair followed by a mutated copy.
 * Every valid pair comes out embedded and unchanged; every mutated one comes out embedded or as a dead letter with
 * a teacher reason code; nothing throws, and every record fits under the size limit.
 */
class TeacherFuzzTest {

    private static final long SEED = 16;
    private static final int RECORDS = 10_000;
    private static final int BATCH = 64;
    private static final int MAX_RECORD_BYTES = 1 << 20;

    @Test
    void everyValidPairIsEmbeddedAndEveryMutatedOneIsEmbeddedOrDeadLettered() {
        try (TeacherModel teacher = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            CaptionEmbedder embedder = new CaptionEmbedder(teacher, new EmbeddingCache(64 << 20));
            BatchRouting routing = new BatchRouting(embedder, "out", "dlq", MAX_RECORD_BYTES);
            RecordMutator mutator = new RecordMutator(SEED);
            Map<String, ImageCaptionPair> valid = new HashMap<>();
            List<ProducerRecord<byte[], byte[]>> written = new ArrayList<>();
            List<Pending> batch = new ArrayList<>();
            for (int offset = 0; offset < RECORDS; offset++) {
                byte[] value;
                byte[] key;
                if (offset % 2 == 0) {
                    ImageCaptionPair pair = ServiceTestKit.pair("caption of pair " + (offset / 2) % 500, offset);
                    valid.put(pair.getId(), pair);
                    key = pair.getId().getBytes(StandardCharsets.UTF_8);
                    value = ServiceTestKit.PAIRS.encode(pair);
                } else {
                    ImageCaptionPair original = ServiceTestKit.pair("caption of pair " + (offset / 2) % 500, offset - 1);
                    key = ("mutated-" + offset).getBytes(StandardCharsets.UTF_8);
                    value = mutator.mutate(ServiceTestKit.PAIRS.encode(original)).bytes();
                }
                batch.add(routing.intake(new ConsumerRecord<>("in", 0, offset, key, value)));
                if (batch.size() == BATCH || offset == RECORDS - 1) {
                    List<String> captions = batch.stream().filter(p -> p.rejected() == null)
                            .map(p -> p.pair().getCaption()).toList();
                    List<Outcome> outcomes = embedder.embed(captions);
                    Routed routed = routing.route(batch, outcomes, Instant.EPOCH);
                    assertEquals(batch.get(batch.size() - 1).record().offset() + 1,
                            routed.offsets().values().iterator().next().offset());
                    written.addAll(routed.records());
                    batch.clear();
                }
            }

            assertEquals(RECORDS, written.size(), "one record out per record in");
            Set<String> codes = Arrays.stream(RejectReason.values()).map(Enum::name).collect(Collectors.toSet());
            Map<String, EmbeddedPair> embedded = new HashMap<>();
            int letters = 0;
            for (ProducerRecord<byte[], byte[]> record : written) {
                int size = (record.key() == null ? 0 : record.key().length) + record.value().length;
                assertTrue(size <= MAX_RECORD_BYTES, size + " bytes");
                if (record.topic().equals("dlq")) {
                    DeadLetter letter = ServiceTestKit.DEAD_LETTERS.decode(record.value());
                    assertTrue(codes.contains(letter.getReasonCode()), letter.getReasonCode());
                    assertTrue(new String(record.key(), StandardCharsets.UTF_8).startsWith("mutated-"),
                            "a valid pair was rejected: " + letter.getMessage());
                    letters++;
                } else {
                    EmbeddedPair pair = ServiceTestKit.EMBEDDED.decode(record.value());
                    assertEquals(teacher.dimension(), pair.getDim());
                    embedded.putIfAbsent(pair.getPair().getId(), pair);
                }
            }
            for (ImageCaptionPair pair : valid.values()) {
                assertNotNull(embedded.get(pair.getId()), pair.getId());
                assertEquals(pair, embedded.get(pair.getId()).getPair(), "pair unchanged");
            }
            assertTrue(letters > RECORDS / 4, letters + " mutated records rejected");
        }
    }

    @Test
    void aPairWithANineMegabyteIdIsDeadLetteredWithoutItsValueOrKeyAndTheNextGoesOn() {
        try (TeacherModel teacher = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            CaptionEmbedder embedder = new CaptionEmbedder(teacher, new EmbeddingCache(1 << 20));
            int limit = dev.kclip.schemas.Topics.MAX_MESSAGE_BYTES - 64 * 1024;
            BatchRouting routing = new BatchRouting(embedder, "out", "dlq", limit);
            ImageCaptionPair huge = ServiceTestKit.pair("a red apple", 1);
            huge.setId("i".repeat(9 * 1024 * 1024));
            ImageCaptionPair next = ServiceTestKit.pair("a green pear", 2);
            List<Pending> batch = List.of(
                    routing.intake(new ConsumerRecord<>("in", 0, 0, huge.getId().getBytes(StandardCharsets.UTF_8),
                            ServiceTestKit.PAIRS.encode(huge))),
                    routing.intake(new ConsumerRecord<>("in", 0, 1, next.getId().getBytes(StandardCharsets.UTF_8),
                            ServiceTestKit.PAIRS.encode(next))));
            Routed routed = routing.route(batch, embedder.embed(List.of("a red apple", "a green pear")), Instant.EPOCH);

            ProducerRecord<byte[], byte[]> letterRecord = routed.records().get(0);
            DeadLetter letter = ServiceTestKit.DEAD_LETTERS.decode(letterRecord.value());
            assertEquals("OUTPUT_TOO_LARGE", letter.getReasonCode());
            assertEquals(null, letterRecord.key(), "a 9 MB key would travel twice");
            assertEquals(null, letter.getOriginalValue());
            assertTrue(letterRecord.value().length <= limit, letterRecord.value().length + " bytes");
            assertEquals(next, ServiceTestKit.EMBEDDED.decode(routed.records().get(1).value()).getPair());
        }
    }

    @Test
    void valuesDeclaringAOneGibibyteStringTombstonesAndEmptyValuesAreBadRecords() {
        try (TeacherModel teacher = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            BatchRouting routing = new BatchRouting(new CaptionEmbedder(teacher, new EmbeddingCache(0)), "out", "dlq",
                    MAX_RECORD_BYTES);
            byte[] oneGib = RecordMutator.declaringFirstString(ServiceTestKit.PAIRS.encode(ServiceTestKit.pair("a", 1)),
                    1L << 30);
            for (byte[] value : java.util.Arrays.asList(oneGib, null, new byte[0])) {
                Pending pending = routing.intake(new ConsumerRecord<>("in", 0, 0L, null, value));
                assertEquals(RejectReason.BAD_RECORD, pending.rejected().reason(), pending.rejected().message());
            }
            assertTrue(routing.intake(new ConsumerRecord<>("in", 0, 0L, null, oneGib)).rejected().message()
                    .contains("declares 1073741824 bytes"));
        }
    }
}
