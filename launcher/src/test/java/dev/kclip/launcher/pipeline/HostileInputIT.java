package dev.kclip.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.LoadedDataset;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.ingest.push.RawPairs;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.fuzz.RecordMutator;
import dev.kclip.trainer.loop.TrainingListener;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline {@code kclip up} runs, fed hostile records straight into every stage's input topic with a plain
 * producer, interleaved with real emoji pairs and a few hundred fuzzed records: the valid pairs all come out
 * labelled (and reach the trainer), every poison record is in {@code kclip.pairs.dlq} with its reason code, no
 * non-image travels there with its bytes, and every stage stays up.
 */
class HostileInputIT {

    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    private static final AvroCodec<EmbeddedPair> EMBEDDED = AvroCodec.forClass(EmbeddedPair.class);
    private static final AvroCodec<LabelledPair> LABELLED = AvroCodec.forClass(LabelledPair.class);
    private static final AvroCodec<DeadLetter> LETTERS = AvroCodec.forClass(DeadLetter.class);
    private static final int VALID_BEFORE = 40;
    private static final int VALID_AFTER = 16;
    private static final int FUZZ_PER_STAGE = 100;
    private static final Duration IDLE = Duration.ofSeconds(90);
    /** The bytes of the non-image: they must not show up anywhere in the dead letters. */
    private static final byte[] NOT_AN_IMAGE = "<html><script>alert('not an image')</script></html>"
            .repeat(20).getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** A poison record: where it goes, what it is, the code its dead letter must carry. */
    private record Poison(String topic, String key, byte[] value, String stage, String reason) {
    }

    @Test
    void poisonAndFuzzedRecordsAreDeadLetteredWhileEveryValidPairGoesThrough() throws Exception {
        List<LoadedDataset.Pair> emoji = LoadedDataset.load(
                new JsonlReader(ReaderOptions.DEFAULTS.withLabelField("category")),
                Path.of("../datasets/emoji-64/pairs.jsonl")).pairs();
        List<ImageCaptionPair> before = raw(emoji.subList(0, VALID_BEFORE));
        List<ImageCaptionPair> after = raw(emoji.subList(VALID_BEFORE, VALID_BEFORE + VALID_AFTER));

        try (Pipeline pipeline = Pipeline.start(SmallPipeline.settings(dir), null, TrainingListener.NONE, line -> { });
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pipeline.kafka().producer(),
                        new ByteArraySerializer(), new ByteArraySerializer())) {
            KafkaConnection kafka = pipeline.kafka();
            RecordMutator mutator = new RecordMutator(16);
            List<Poison> poisons = new ArrayList<>();

            // ingest's input: valid pairs, the poison records of raw pairs, fuzzed copies (keyed like their
            // original, so each comes after it on its partition and a copy that keeps the id is a duplicate)
            List<Poison> ingestPoisons = ingestPoisons(before.get(0));
            for (int i = 0; i < before.size(); i++) {
                send(producer, Topics.PAIRS_RAW.name(), key(before.get(i)), PAIRS.encode(before.get(i)));
                if (i < ingestPoisons.size()) {
                    send(producer, ingestPoisons.get(i));
                }
            }
            poisons.addAll(ingestPoisons);
            for (int i = 0; i < FUZZ_PER_STAGE * 2; i++) {
                ImageCaptionPair original = before.get(i % before.size());
                send(producer, Topics.PAIRS_RAW.name(), key(original), mutator.mutate(PAIRS.encode(original)).bytes());
            }
            producer.flush();

            // once the valid pairs are labelled, every stage's input holds real records to poison and fuzz
            Set<String> beforeIds = ids(before);
            awaitLabelled(kafka, beforeIds);
            List<byte[]> normalised = values(kafka, Topics.PAIRS.name(), 10);
            List<byte[]> embedded = values(kafka, Topics.TEACHER_EMBEDDINGS.name(), 10);
            List<byte[]> labelled = values(kafka, Topics.TRAIN_EXAMPLES.name(), 10);
            poisons.addAll(downstreamPoisons(PAIRS.decode(normalised.get(0)), EMBEDDED.decode(embedded.get(0)),
                    LABELLED.decode(labelled.get(0))));
            for (Poison poison : poisons.subList(ingestPoisons.size(), poisons.size())) {
                send(producer, poison);
            }
            fuzz(producer, mutator, Topics.PAIRS.name(), normalised);
            fuzz(producer, mutator, Topics.TEACHER_EMBEDDINGS.name(), embedded);
            fuzz(producer, mutator, Topics.TRAIN_EXAMPLES.name(), labelled);
            // valid pairs after all of it: the stages went on past the poison
            for (ImageCaptionPair pair : after) {
                send(producer, Topics.PAIRS_RAW.name(), key(pair), PAIRS.encode(pair));
            }
            producer.flush();

            Set<String> allIds = new HashSet<>(beforeIds);
            allIds.addAll(ids(after));
            awaitLabelled(kafka, allIds);
            Map<String, DeadLetter> letters = awaitDeadLetters(kafka, poisons);
            for (Poison poison : poisons) {
                DeadLetter letter = letters.get(poison.key());
                assertEquals(poison.reason(), letter.getReasonCode(), poison.key() + ": " + letter.getMessage());
                assertEquals(poison.stage(), letter.getStage(), poison.key());
                assertEquals(poison.topic(), letter.getSourceTopic(), poison.key());
            }
            assertNull(letters.get("ingest-not-an-image").getOriginalValue(), "a non-image travels without its bytes");
            assertNull(letters.get("trainer-not-an-image").getOriginalValue(), "a non-image travels without its bytes");
            assertEquals(List.of(), lettersHolding(kafka, NOT_AN_IMAGE), "no dead letter holds the non-image's bytes");
            awaitTrainerPast(pipeline, allIds.size());
            assertEquals(Optional.empty(), pipeline.failure(), "every stage is up");
        }
    }

    private static List<Poison> ingestPoisons(ImageCaptionPair template) {
        String raw = Topics.PAIRS_RAW.name();
        ImageCaptionPair hugeId = copy(template, "a pair with a 9 MB id");
        hugeId.setId("i".repeat(9 * 1024 * 1024));
        ImageCaptionPair bomb = copy(template, "a PNG declaring 30000 x 30000");
        bomb.setImage(ByteBuffer.wrap(pngHeader(30_000, 30_000)));
        ImageCaptionPair notAnImage = copy(template, "a web page as an image");
        notAnImage.setImage(ByteBuffer.wrap(NOT_AN_IMAGE));
        byte[] unknownFingerprint = PAIRS.encode(template);
        unknownFingerprint[5] ^= 0x5A;
        return List.of(
                new Poison(raw, "ingest-9mb-id", PAIRS.encode(hugeId), "ingest", "ID_TOO_LONG"),
                new Poison(raw, "ingest-1gib-string", oneGibString(PAIRS.encode(template)), "ingest", "BAD_RECORD"),
                new Poison(raw, "ingest-png-bomb", PAIRS.encode(bomb), "ingest", "IMAGE_TOO_LARGE"),
                new Poison(raw, "ingest-not-an-image", PAIRS.encode(notAnImage), "ingest", "UNSUPPORTED_FORMAT"),
                new Poison(raw, "ingest-unknown-fingerprint", unknownFingerprint, "ingest", "BAD_RECORD"),
                new Poison(raw, "ingest-empty", new byte[0], "ingest", "BAD_RECORD"),
                new Poison(raw, "ingest-tombstone", null, "ingest", "BAD_RECORD"));
    }

    private static List<Poison> downstreamPoisons(ImageCaptionPair pair, EmbeddedPair embedded, LabelledPair labelled) {
        String pairs = Topics.PAIRS.name();
        String embeddings = Topics.TEACHER_EMBEDDINGS.name();
        String examples = Topics.TRAIN_EXAMPLES.name();
        ImageCaptionPair hugeId = copy(pair, "a pair with a 9 MB id");
        hugeId.setId("i".repeat(9 * 1024 * 1024));
        EmbeddedPair hugeDim = EmbeddedPair.newBuilder(embedded).setPair(copy(pair, "dim 2^30"))
                .setDim(1 << 30).setEmbedding(ByteBuffer.allocate(0)).build();
        float[] nan = new float[embedded.getDim()];
        nan[3] = Float.NaN;
        EmbeddedPair nanVector = EmbeddedPair.newBuilder(embedded).setPair(copy(pair, "a NaN vector"))
                .setEmbedding(Float32Vectors.encode(nan)).build();
        float[] infinite = new float[labelled.getConceptCount()];
        infinite[0] = Float.POSITIVE_INFINITY;
        LabelledPair infiniteLabel = LabelledPair.newBuilder(labelled).setSoftLabel(Float32Vectors.encode(infinite)).build();
        LabelledPair bomb = LabelledPair.newBuilder(labelled).setEmbedded(EmbeddedPair.newBuilder(embedded)
                .setPair(withImage(pair, pngHeader(30_000, 30_000))).build()).build();
        LabelledPair notAnImage = LabelledPair.newBuilder(labelled).setEmbedded(EmbeddedPair.newBuilder(embedded)
                .setPair(withImage(pair, NOT_AN_IMAGE)).build()).build();
        byte[] randomBytes = new byte[300];
        new Random(16).nextBytes(randomBytes);
        return List.of(
                new Poison(pairs, "teacher-9mb-id", PAIRS.encode(hugeId), "teacher", "OUTPUT_TOO_LARGE"),
                new Poison(pairs, "teacher-1gib-string", oneGibString(PAIRS.encode(pair)), "teacher", "BAD_RECORD"),
                new Poison(pairs, "teacher-tombstone", null, "teacher", "BAD_RECORD"),
                new Poison(embeddings, "concepts-dim-2^30", EMBEDDED.encode(hugeDim), "concepts", "BAD_DIMENSION"),
                new Poison(embeddings, "concepts-nan", EMBEDDED.encode(nanVector), "concepts", "NON_FINITE_VECTOR"),
                new Poison(embeddings, "concepts-1gib-string", oneGibString(EMBEDDED.encode(embedded)), "concepts",
                        "BAD_RECORD"),
                new Poison(embeddings, "concepts-empty", new byte[0], "concepts", "BAD_RECORD"),
                new Poison(embeddings, "concepts-tombstone", null, "concepts", "BAD_RECORD"),
                new Poison(examples, "trainer-infinite-label", LABELLED.encode(infiniteLabel), "trainer", "BAD_SOFT_LABEL"),
                new Poison(examples, "trainer-png-bomb", LABELLED.encode(bomb), "trainer", "IMAGE_TOO_LARGE"),
                new Poison(examples, "trainer-not-an-image", LABELLED.encode(notAnImage), "trainer", "UNSUPPORTED_FORMAT"),
                new Poison(examples, "trainer-random-bytes", randomBytes, "trainer", "BAD_RECORD"),
                new Poison(examples, "trainer-1gib-string", oneGibString(LABELLED.encode(labelled)), "trainer", "BAD_RECORD"),
                new Poison(examples, "trainer-tombstone", null, "trainer", "BAD_RECORD"));
    }

    /** The record's header, then a first string declaring 2^30 bytes. */
    private static byte[] oneGibString(byte[] valid) {
        return RecordMutator.declaringFirstString(valid, 1L << 30);
    }

    /** A PNG signature and IHDR declaring {@code width} x {@code height}, no pixel data. */
    private static byte[] pngHeader(int width, int height) {
        return ByteBuffer.allocate(33).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
                .putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put(new byte[] {8, 2, 0, 0, 0}).putInt(0).array();
    }

    private static ImageCaptionPair copy(ImageCaptionPair pair, String caption) {
        ImageCaptionPair copy = ImageCaptionPair.newBuilder(pair).setCaption(caption).build();
        copy.setId(pair.getId() + "-" + caption.hashCode());
        return copy;
    }

    private static ImageCaptionPair withImage(ImageCaptionPair pair, byte[] image) {
        return ImageCaptionPair.newBuilder(pair).setImage(ByteBuffer.wrap(image)).build();
    }

    private static List<ImageCaptionPair> raw(List<LoadedDataset.Pair> pairs) {
        Instant now = Instant.now();
        return pairs.stream().map(p -> RawPairs.of(p.image(), p.caption(), p.label(), p.attributes(), "emoji-64", now))
                .toList();
    }

    private static void fuzz(KafkaProducer<byte[], byte[]> producer, RecordMutator mutator, String topic,
            List<byte[]> originals) {
        for (int i = 0; i < FUZZ_PER_STAGE; i++) {
            send(producer, topic, ("fuzz-" + topic + "-" + i).getBytes(StandardCharsets.UTF_8),
                    mutator.mutate(originals.get(i % originals.size())).bytes());
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Poison poison) {
        send(producer, poison.topic(), poison.key().getBytes(StandardCharsets.UTF_8), poison.value());
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    private static byte[] key(ImageCaptionPair pair) {
        return pair.getId().getBytes(StandardCharsets.UTF_8);
    }

    private static Set<String> ids(List<ImageCaptionPair> pairs) {
        return new HashSet<>(pairs.stream().map(ImageCaptionPair::getId).toList());
    }

    private static List<byte[]> values(KafkaConnection kafka, String topic, int n) {
        return TopicReader.readAll(kafka, topic, n, IDLE).stream().map(ConsumerRecord::value).toList();
    }

    /** Waits until every id in {@code ids} has a LabelledPair on kclip.train.examples. */
    private static void awaitLabelled(KafkaConnection kafka, Set<String> ids) {
        Set<String> missing = new HashSet<>(ids);
        TopicReader.read(kafka, Topics.TRAIN_EXAMPLES.name(), true, Long.MAX_VALUE, IDLE, record -> {
            decoded(LABELLED::decode, record.value()).ifPresent(l -> missing.remove(l.getEmbedded().getPair().getId()));
            return !missing.isEmpty();
        });
        assertEquals(Set.of(), missing, "valid pairs not labelled");
    }

    /** Waits until every poison record has a dead letter, and returns them by original key. */
    private static Map<String, DeadLetter> awaitDeadLetters(KafkaConnection kafka, List<Poison> poisons) {
        Map<String, DeadLetter> byKey = new HashMap<>();
        Set<String> missing = new HashSet<>(poisons.stream().map(Poison::key).toList());
        TopicReader.read(kafka, Topics.DEAD_LETTERS.name(), true, Long.MAX_VALUE, IDLE, record -> {
            DeadLetter letter = LETTERS.decode(record.value());
            if (letter.getOriginalKey() != null) {
                String key = StandardCharsets.UTF_8.decode(letter.getOriginalKey().duplicate()).toString();
                byKey.putIfAbsent(key, letter);
                missing.remove(key);
            }
            return !missing.isEmpty();
        });
        assertEquals(Set.of(), missing, "poison records without a dead letter");
        return byKey;
    }

    /** Keys of the dead letters whose original value contains {@code bytes}. */
    private static List<String> lettersHolding(KafkaConnection kafka, byte[] bytes) {
        List<String> holding = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readAll(kafka, Topics.DEAD_LETTERS.name(),
                Long.MAX_VALUE, Duration.ofSeconds(3))) {
            DeadLetter letter = LETTERS.decode(record.value());
            if (letter.getOriginalValue() != null && contains(letter.getOriginalValue(), bytes)) {
                holding.add(letter.getStage() + " " + letter.getReasonCode() + " " + letter.getRecordId());
            }
        }
        return holding;
    }

    /** Waits until the trainer has taken (trained, held out or dead-lettered) at least the valid pairs and its poison. */
    private static void awaitTrainerPast(Pipeline pipeline, int valid) throws InterruptedException {
        long deadline = System.nanoTime() + IDLE.toNanos();
        Function<String, Double> counter = name -> pipeline.registry().find(name).counters().stream()
                .mapToDouble(c -> c.count()).sum();
        while (System.nanoTime() < deadline && (counter.apply("kclip.trainer.examples.consumed") < valid
                || counter.apply("kclip.trainer.dead_letters") < 6)) {
            Thread.sleep(200);
        }
        assertTrue(counter.apply("kclip.trainer.examples.consumed") >= valid,
                "trainer consumed " + counter.apply("kclip.trainer.examples.consumed"));
        assertTrue(counter.apply("kclip.trainer.dead_letters") >= 6, "trainer dead letters " + counter.apply("kclip.trainer.dead_letters"));
    }

    private static <T> Optional<T> decoded(Function<byte[], T> decode, byte[] value) {
        try {
            return Optional.of(decode.apply(value));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean contains(ByteBuffer haystack, byte[] needle) {
        byte[] bytes = new byte[haystack.remaining()];
        haystack.duplicate().get(bytes);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
