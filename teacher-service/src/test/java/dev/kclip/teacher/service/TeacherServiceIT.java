package dev.kclip.teacher.service;

import static dev.kclip.teacher.service.ServiceTestKit.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.Health;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The teacher service against a real broker, in this JVM. */
@ExtendWith(KafkaBrokerExtension.class)
class TeacherServiceIT {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void recordsItCannotEmbedGoToTheDeadLetterTopicAndTheStreamGoesOn(KafkaBroker broker, @TempDir Path dir)
            throws Exception {
        KafkaConnection kafka = broker.connection();
        String name = "teacher-dlq-it";
        ServiceTestKit.createTopics(kafka, name, 2);
        List<ImageCaptionPair> valid = new ArrayList<>();
        for (int repeat = 0; repeat < 3; repeat++) {
            for (int c = 0; c < 10; c++) {
                valid.add(ServiceTestKit.pair("a small red apple on table " + c, repeat * 100 + c));
            }
        }
        ImageCaptionPair empty = ServiceTestKit.pair("", 900);
        ImageCaptionPair nan1 = ServiceTestKit.pair("an X-ray of a hand", 901);
        ImageCaptionPair nan2 = ServiceTestKit.pair("a box of XL shirts", 902);
        List<ImageCaptionPair> later = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            later.add(ServiceTestKit.pair("a dog after the bad records " + c, 1000 + c));
        }
        ServiceTestKit.produce(kafka, name + ".pairs", valid);
        ServiceTestKit.produceRaw(kafka, List.of(
                new ProducerRecord<>(name + ".pairs", bytes("garbage"), bytes("this is not an Avro record at all")),
                new ProducerRecord<>(name + ".pairs", bytes("tombstone"), null)));
        ServiceTestKit.produce(kafka, name + ".pairs", List.of(empty, nan1, nan2));
        ServiceTestKit.produce(kafka, name + ".pairs", later);

        MeterRegistry registry = new SimpleMeterRegistry();
        TeacherServiceConfig config = TeacherServiceConfig.defaults("llama2c:" + TestCheckpoints.withNanToken(dir))
                .withTopics(name + ".pairs", name + ".embeddings", name + ".dlq")
                .withGroup(name, "dlq-0")
                .withBatching(4096, 8, Duration.ofMillis(20))
                .withCacheBytes(1 << 20);
        try (TeacherService service = TeacherService.start(config, kafka, registry);
                ServiceTestKit.CommittedKeys out = new ServiceTestKit.CommittedKeys(kafka, name + ".embeddings", true);
                ServiceTestKit.CommittedKeys dlq = new ServiceTestKit.CommittedKeys(kafka, name + ".dlq", true)) {
            await(() -> out.poll() == 35 && dlq.poll() == 5, WAIT, "35 embedded pairs and 5 dead letters");
            assertEquals(Health.Status.UP, service.health().status(), service.health().detail());
            // the cache meters follow the live service (Micrometer holds it weakly), so read them before closing
            await(() -> counters(registry, "dlq-0").get("kclip.teacher.embedded") == 35, WAIT, "the embedded counter");
            Map<String, Double> meters = counters(registry, "dlq-0");
            assertEquals(15 + 2, meters.get("kclip.teacher.cache.computed"), "10 + 5 distinct valid captions and the 2 NaN ones");
            assertEquals(20, meters.get("kclip.teacher.cache.reused"), "the 2nd and 3rd copy of each repeated caption");
            assertEquals(20.0 / 37, registry.get("kclip.teacher.cache.hit.ratio").tag("instance", "dlq-0").gauge().value(), 1e-9);
            assertEquals(2, registry.get("kclip.teacher.dead.letters").tags("instance", "dlq-0", "reason", "NAN_EMBEDDING")
                    .counter().count());
        }

        List<ImageCaptionPair> embeddable = new ArrayList<>(valid);
        embeddable.addAll(later);
        Map<String, ImageCaptionPair> byId = embeddable.stream().collect(Collectors.toMap(ImageCaptionPair::getId, p -> p));
        List<ConsumerRecord<byte[], byte[]>> outputs = ServiceTestKit.readAll(kafka, name + ".embeddings", Duration.ofSeconds(2));
        assertEquals(35, outputs.size());
        try (TeacherModel intact = TeacherModels.load("llama2c:" + TestCheckpoints.fixture())) {
            for (ConsumerRecord<byte[], byte[]> r : outputs) {
                EmbeddedPair e = ServiceTestKit.EMBEDDED.decode(r.value());
                ImageCaptionPair input = byId.remove(e.getPair().getId());
                assertEquals(input, e.getPair(), "the pair travels on unchanged");
                assertEquals(e.getPair().getId(), new String(r.key(), StandardCharsets.UTF_8));
                assertEquals("llama2c:model-nan.bin#mean,no-bos", e.getTeacherModelId());
                assertEquals(64, e.getDim());
                assertEquals(1 + input.getCaption().length(), e.getTokenCount());
                assertFalse(e.getTruncated());
                assertArrayEquals(intact.embed(List.of(input.getCaption())).get(0).vector(),
                        Float32Vectors.decode(e.getEmbedding(), 64), 1e-6f);
            }
        }
        assertTrue(byId.isEmpty(), "every valid pair has its record: missing " + byId.keySet());

        List<DeadLetter> letters = ServiceTestKit.readAll(kafka, name + ".dlq", Duration.ofSeconds(1)).stream()
                .map(r -> ServiceTestKit.DEAD_LETTERS.decode(r.value())).toList();
        Map<String, List<DeadLetter>> byReason = letters.stream().collect(Collectors.groupingBy(DeadLetter::getReasonCode));
        assertEquals(Set.of("BAD_RECORD", "EMPTY_AFTER_TOKENIZATION", "NAN_EMBEDDING"), byReason.keySet());
        assertEquals(2, byReason.get("BAD_RECORD").size());
        assertEquals(Set.of(nan1.getId(), nan2.getId()),
                byReason.get("NAN_EMBEDDING").stream().map(DeadLetter::getRecordId).collect(Collectors.toSet()));
        DeadLetter emptyLetter = byReason.get("EMPTY_AFTER_TOKENIZATION").get(0);
        assertEquals(empty.getId(), emptyLetter.getRecordId());
        assertArrayEquals(ServiceTestKit.PAIRS.encode(empty), bytes(emptyLetter.getOriginalValue()), "original bytes kept");
        for (DeadLetter letter : letters) {
            assertEquals("teacher", letter.getStage());
            assertEquals(name + ".pairs", letter.getSourceTopic());
        }
        DeadLetter garbage = byReason.get("BAD_RECORD").stream()
                .filter(l -> l.getOriginalValue() != null).findFirst().orElseThrow();
        assertEquals("this is not an Avro record at all", new String(bytes(garbage.getOriginalValue()), StandardCharsets.UTF_8));

    }

    /**
     * Records that ingest would have stopped, written straight to the teacher's input by another producer: a pair
     * whose 9 MB id, as the output key and inside the value, makes an 18 MB output; a record with a schema
     * fingerprint nobody knows. Each is dead-lettered once with its reason, not retried, and the pairs after them
     * are embedded.
     */
    @Test
    void anOversizedOutputAndAnUnknownSchemaAreDeadLetteredNotRetried(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        String name = "teacher-poison-it";
        ServiceTestKit.createTopics(kafka, name, 1);
        ImageCaptionPair hugeId = ServiceTestKit.pair("a pair with a 9 MB id", 1);
        hugeId.setId("x".repeat(9 * 1024 * 1024));
        byte[] unknownSchema = ServiceTestKit.PAIRS.encode(ServiceTestKit.pair("an unknown schema", 2));
        Arrays.fill(unknownSchema, 2, 10, (byte) 0x5A); // the fingerprint after the C3 01 marker
        ImageCaptionPair after = ServiceTestKit.pair("a dog after the poison", 3);
        ServiceTestKit.produceRaw(kafka, List.of(
                new ProducerRecord<>(name + ".pairs", bytes("huge-id"), ServiceTestKit.PAIRS.encode(hugeId)),
                new ProducerRecord<>(name + ".pairs", bytes("unknown-schema"), unknownSchema)));
        ServiceTestKit.produce(kafka, name + ".pairs", List.of(after));

        TeacherServiceConfig config = TeacherServiceConfig.defaults("llama2c:" + TestCheckpoints.fixture())
                .withTopics(name + ".pairs", name + ".embeddings", name + ".dlq").withGroup(name, "poison-0");
        try (TeacherService service = TeacherService.start(config, kafka, new SimpleMeterRegistry());
                ServiceTestKit.CommittedKeys out = new ServiceTestKit.CommittedKeys(kafka, name + ".embeddings", true);
                ServiceTestKit.CommittedKeys dlq = new ServiceTestKit.CommittedKeys(kafka, name + ".dlq", true)) {
            await(() -> out.poll() == 1 && dlq.poll() == 2, WAIT, "1 embedded pair and 2 dead letters");
            assertTrue(service.isRunning(), String.valueOf(service.failure()));
        }

        List<ConsumerRecord<byte[], byte[]>> outputs = ServiceTestKit.readAll(kafka, name + ".embeddings", Duration.ofSeconds(1));
        assertEquals(List.of(after.getId()), outputs.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList());
        Map<String, DeadLetter> byKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : ServiceTestKit.readAll(kafka, name + ".dlq", Duration.ofSeconds(1))) {
            byKey.merge(new String(r.key(), StandardCharsets.UTF_8), ServiceTestKit.DEAD_LETTERS.decode(r.value()),
                    (a, b) -> {
                        throw new AssertionError("two dead letters for one record: retried");
                    });
        }
        assertEquals(Set.of("huge-id", "unknown-schema"), byKey.keySet());
        DeadLetter tooLarge = byKey.get("huge-id");
        assertEquals("OUTPUT_TOO_LARGE", tooLarge.getReasonCode(), tooLarge.getMessage());
        assertEquals(null, tooLarge.getOriginalValue());
        DeadLetter unknown = byKey.get("unknown-schema");
        assertEquals("BAD_RECORD", unknown.getReasonCode());
        assertArrayEquals(unknownSchema, bytes(unknown.getOriginalValue()), "original bytes kept");
    }

    @Test
    void instancesShareThePartitionsAndRebalancesNeitherLoseNorRepeatARecord(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        String name = "teacher-share-it";
        ServiceTestKit.createTopics(kafka, name, 3);
        List<ImageCaptionPair> first = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            first.add(ServiceTestKit.pair("caption number " + i + " of a shared stream", i));
        }
        ServiceTestKit.produce(kafka, name + ".pairs", first);
        MeterRegistry registry = new SimpleMeterRegistry();
        TeacherServiceConfig config = TeacherServiceConfig.defaults("llama2c:" + TestCheckpoints.fixture())
                .withTopics(name + ".pairs", name + ".embeddings", name + ".dlq")
                .withBatching(4096, 4, Duration.ofMillis(10));
        try (ServiceTestKit.CommittedKeys out = new ServiceTestKit.CommittedKeys(kafka, name + ".embeddings", true)) {
            TeacherService a = TeacherService.start(config.withGroup(name, "share-a"), kafka, registry);
            await(() -> out.poll() >= 100, WAIT, "instance a to embed 100 pairs");
            try (TeacherService b = TeacherService.start(config.withGroup(name, "share-b"), kafka, registry)) {
                await(() -> out.poll() == 600, WAIT, "all 600 pairs");
                List<ImageCaptionPair> second = new ArrayList<>();
                for (int i = 600; i < 900; i++) {
                    second.add(ServiceTestKit.pair("caption number " + i + " of a shared stream", i));
                }
                a.close();              // a leaves the group: b takes over its partitions
                ServiceTestKit.produce(kafka, name + ".pairs", second);
                await(() -> out.poll() == 900, WAIT, "all 900 pairs after a left");
                assertTrue(b.isRunning());
            }
            assertEquals(900, out.records(), "no pair was written twice");
        }
        double byA = counters(registry, "share-a").get("kclip.teacher.embedded");
        double byB = counters(registry, "share-b").get("kclip.teacher.embedded");
        assertTrue(byA > 0 && byB > 0, "both instances worked: a " + byA + ", b " + byB);
        assertEquals(900, byA + byB, "committed embeddings add up exactly");
    }

    @Test
    void aSecondProcessWithTheSameInstanceIdFencesTheFirstWhichStopsSayingWhy(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        String name = "teacher-fence-it";
        ServiceTestKit.createTopics(kafka, name, 1);
        TeacherServiceConfig config = TeacherServiceConfig.defaults("llama2c:" + TestCheckpoints.fixture())
                .withTopics(name + ".pairs", name + ".embeddings", name + ".dlq").withGroup(name, "same");
        List<ImageCaptionPair> pairs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pairs.add(ServiceTestKit.pair("fenced " + i, i));
        }
        try (TeacherService first = TeacherService.start(config, kafka, new SimpleMeterRegistry());
                ServiceTestKit.CommittedKeys out = new ServiceTestKit.CommittedKeys(kafka, name + ".embeddings", true)) {
            ServiceTestKit.produce(kafka, name + ".pairs", pairs.subList(0, 25));
            await(() -> out.poll() == 25, WAIT, "the first instance to embed 25 pairs");
            try (TeacherService second = TeacherService.start(config, kafka, new SimpleMeterRegistry())) {
                ServiceTestKit.produce(kafka, name + ".pairs", pairs.subList(25, 50));
                await(() -> !first.isRunning(), WAIT, "the first instance to stop");
                assertTrue(first.health().down());
                assertTrue(first.failure().contains("another process runs as instance 'same'"), first.failure());
                await(() -> out.poll() == 50, WAIT, "the second instance to embed the rest");
                assertTrue(second.isRunning());
            }
            assertEquals(50, out.records());
        }
    }

    @Test
    void theGuaranteesHoldWhateverTheUsersClientPropertiesSay(KafkaBroker broker, @TempDir Path dir) throws Exception {
        KafkaConnection kafka = broker.connection();
        String name = "teacher-props-it";
        ServiceTestKit.createTopics(kafka, name, 1);
        // a client properties file that would break exactly-once if passed through as it is, and a small
        // max.request.size so that a large bad record cannot be dead-lettered whole
        Path clientConfig = Files.writeString(dir.resolve("client.properties"),
                "isolation.level=read_uncommitted\nenable.auto.commit=true\nmax.request.size=200000\n");
        KafkaConnection userKafka = KafkaConnection.resolve(broker.bootstrapServers(), clientConfig, Map.of());

        List<ImageCaptionPair> committed = List.of(ServiceTestKit.pair("a committed dog", 1),
                ServiceTestKit.pair("a committed cat", 2), ServiceTestKit.pair("a committed bird", 3));
        List<ImageCaptionPair> aborted = List.of(ServiceTestKit.pair("an aborted fish", 4),
                ServiceTestKit.pair("an aborted horse", 5));
        Properties props = kafka.producer();
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name + "-upstream");
        try (KafkaProducer<byte[], byte[]> upstream =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            upstream.initTransactions();
            upstream.beginTransaction();
            for (ImageCaptionPair p : aborted) {
                upstream.send(new ProducerRecord<>(name + ".pairs", bytes(p.getId()), ServiceTestKit.PAIRS.encode(p)));
            }
            upstream.flush();
            upstream.abortTransaction();
            upstream.beginTransaction();
            for (ImageCaptionPair p : committed) {
                upstream.send(new ProducerRecord<>(name + ".pairs", bytes(p.getId()), ServiceTestKit.PAIRS.encode(p)));
            }
            upstream.commitTransaction();
        }
        byte[] large = new byte[150_000];
        Arrays.fill(large, (byte) 'x');
        ServiceTestKit.produceRaw(kafka, List.of(new ProducerRecord<>(name + ".pairs", bytes("large"), large)));

        TeacherServiceConfig config = TeacherServiceConfig.defaults("llama2c:" + TestCheckpoints.fixture())
                .withTopics(name + ".pairs", name + ".embeddings", name + ".dlq").withGroup(name, "props-0");
        try (TeacherService service = TeacherService.start(config, userKafka, new SimpleMeterRegistry());
                ServiceTestKit.CommittedKeys out = new ServiceTestKit.CommittedKeys(kafka, name + ".embeddings", true);
                ServiceTestKit.CommittedKeys dlq = new ServiceTestKit.CommittedKeys(kafka, name + ".dlq", true)) {
            await(() -> dlq.poll() == 1, WAIT, "the large bad record's dead letter");
            assertTrue(service.isRunning(), String.valueOf(service.failure()));
        }

        Set<String> embedded = ServiceTestKit.readAll(kafka, name + ".embeddings", Duration.ofSeconds(1)).stream()
                .map(r -> ServiceTestKit.EMBEDDED.decode(r.value()).getPair().getId()).collect(Collectors.toSet());
        assertEquals(committed.stream().map(ImageCaptionPair::getId).collect(Collectors.toSet()), embedded,
                "the aborted upstream records are never embedded");
        List<DeadLetter> letters = ServiceTestKit.readAll(kafka, name + ".dlq", Duration.ofSeconds(1)).stream()
                .map(r -> ServiceTestKit.DEAD_LETTERS.decode(r.value())).toList();
        assertEquals(1, letters.size());
        assertEquals("BAD_RECORD", letters.get(0).getReasonCode());
        assertEquals(null, letters.get(0).getOriginalValue());
        assertTrue(letters.get(0).getMessage().contains("original value of 150000 bytes left out"),
                letters.get(0).getMessage());
        assertEquals("large", new String(bytes(letters.get(0).getOriginalKey()), StandardCharsets.UTF_8));
    }

    private static Map<String, Double> counters(MeterRegistry registry, String instance) {
        Map<String, Double> values = new HashMap<>();
        registry.getMeters().stream()
                .filter(m -> instance.equals(m.getId().getTag("instance")) && m.getId().getTag("reason") == null)
                .forEach(m -> m.measure().forEach(x -> values.putIfAbsent(m.getId().getName(), x.getValue())));
        return values;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }
}
