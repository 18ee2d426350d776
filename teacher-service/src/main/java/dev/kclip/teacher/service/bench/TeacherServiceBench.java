package dev.kclip.teacher.service.bench;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.PairIds;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.TeacherOptions;
import dev.kclip.teacher.bench.TeacherBench;
import dev.kclip.teacher.service.TeacherService;
import dev.kclip.teacher.service.TeacherServiceConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The teacher service against its bare model, in one run: the model embeds {@code N} captions at batch size
 * {@code B} (before and after, to bracket a machine whose load drifts), and between the two the service embeds the
 * same captions Kafka-in/Kafka-out on an embedded broker, cache off, batches of {@code B}: captions/s of each and
 * the ratio. The service's clock starts once it has committed two warm-up batches and stops when the last
 * measured caption's transaction is committed.
 */
public final class TeacherServiceBench {

    /** One measurement: captions/s of the bare model (before and after) and of the service. */
    public record Result(String model, int batchSize, int captions, double bareBefore, double service, double bareAfter) {
        /** The bare model's captions/s, the mean of both runs. */
        public double bare() {
            return (bareBefore + bareAfter) / 2;
        }

        public double ratio() {
            return service / bare();
        }

        /** One line of figures. */
        public String summary() {
            return String.format(Locale.ROOT, "%s batch %d, %d captions: bare %.1f captions/s (%.1f before, %.1f after), "
                    + "service %.1f captions/s, ratio %.2fx", model, batchSize, captions, bare(), bareBefore,
                    bareAfter, service, ratio());
        }
    }

    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);
    private static final String TOPIC = "bench.pairs";
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private TeacherServiceBench() {
    }

    /** Measures {@code modelSpec} on {@code captions} distinct captions at {@code batchSize}. */
    public static Result run(String modelSpec, TeacherOptions options, int captions, int batchSize) {
        int warmUp = 2 * batchSize;
        List<String> all = TeacherBench.captions(warmUp + captions, 1);
        List<String> measured = all.subList(warmUp, all.size());
        Path dir = tempDir();
        // the bare runs too have the broker beside them in this process, holding the input: only the service differs
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir, 0, Duration.ofMinutes(1))) {
            KafkaConnection kafka = KafkaConnection.to(broker.bootstrapServers());
            createTopics(kafka);
            produce(kafka, all);
            double before = bare(modelSpec, options, measured, batchSize);
            double service = service(kafka, modelSpec, options, all.size(), warmUp, batchSize);
            double after = bare(modelSpec, options, measured, batchSize);
            return new Result(modelSpec, batchSize, captions, before, service, after);
        } finally {
            delete(dir);
        }
    }

    private static double bare(String modelSpec, TeacherOptions options, List<String> captions, int batchSize) {
        try (TeacherModel teacher = TeacherModels.load(modelSpec, options)) {
            return TeacherBench.throughput(teacher, captions, new int[] {batchSize}).get(0).captionsPerSecond();
        }
    }

    private static void createTopics(KafkaConnection kafka) {
        try (Admin admin = Admin.create(kafka.admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(
                    new TopicSpec(TOPIC, 1, Map.of(), ImageCaptionPair.class, "pair id", "bench input"),
                    new TopicSpec("bench.embeddings", 1, Map.of(), EmbeddedPair.class, "pair id", "bench output"),
                    new TopicSpec("bench.dlq", 1, Map.of(), DeadLetter.class, "key", "bench dead letters")), 0);
        }
    }

    /** Captions/s of the service over the {@code captions} pairs on the input after the first {@code warmUp}. */
    private static double service(KafkaConnection kafka, String modelSpec, TeacherOptions options, int captions,
            int warmUp, int batchSize) {
        TeacherServiceConfig config = TeacherServiceConfig.defaults(modelSpec).withTeacherOptions(options)
                .withTopics(TOPIC, "bench.embeddings", "bench.dlq").withGroup("bench", "bench-0")
                .withBatching(TeacherServiceConfig.DEFAULT_MAX_BATCH_TOKENS, batchSize, TeacherServiceConfig.DEFAULT_MAX_WAIT)
                .withCacheBytes(0);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TeacherService service = TeacherService.start(config, kafka, registry)) {
            Counter embedded = registry.get("kclip.teacher.embedded").counter();
            long started = awaitCount(service, embedded, warmUp);
            long finished = awaitCount(service, embedded, captions);
            return (captions - warmUp) / ((finished - started) / 1e9);
        }
    }

    /** Waits (polling the service's own counter, so the bench reads no topic) for {@code n} embedded pairs. */
    private static long awaitCount(TeacherService service, Counter embedded, long n) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (embedded.count() < n) {
            if (!service.isRunning() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the service embedded " + (long) embedded.count() + " of " + n
                        + " pairs: " + service.health());
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        return System.nanoTime();
    }

    private static void produce(KafkaConnection kafka, List<String> captions) {
        Properties props = kafka.producer();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            for (int n = 0; n < captions.size(); n++) {
                ImageCaptionPair pair = pair(captions.get(n), n);
                producer.send(new ProducerRecord<>(TOPIC, pair.getId().getBytes(StandardCharsets.UTF_8), PAIRS.encode(pair)));
            }
            producer.flush();
        }
    }

    /** A pair with a small stand-in image: the teacher reads only the caption. */
    private static ImageCaptionPair pair(String caption, int n) {
        byte[] image = ("image " + n).getBytes(StandardCharsets.UTF_8);
        Instant time = Instant.ofEpochMilli(1_700_000_000_000L + n);
        return ImageCaptionPair.newBuilder()
                .setId(PairIds.contentHash(image, caption)).setCaption(caption).setImage(ByteBuffer.wrap(image))
                .setMediaType("image/png").setWidth(8).setHeight(8).setSource("bench").setLabel(null)
                .setAttributes(Map.of()).setEventTime(time).setIngestTime(time).build();
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("kclip-teacher-bench");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
