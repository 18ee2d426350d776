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
import java.lang.management.ManagementFactory;
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
 * the ratio, in wall time and in this process's CPU time. The service's clock starts once it has committed two
 * warm-up batches and stops when the last measured caption's transaction is committed. On a machine shared with
 * other work, captions/s measure the process's share of the cores as much as its speed (a process with more busy
 * threads gets more of them): there captions per CPU-second are the ratio to read.
 */
public final class TeacherServiceBench {

    /**
     * How fast one side embeds: captions per second of wall time, and per second of this process's CPU time (what
     * a machine shared with other work still tells: wall time there measures the process's share of the cores).
     */
    public record Speed(double perSecond, double perCpuSecond) {
        static Speed mean(Speed a, Speed b) {
            return new Speed((a.perSecond + b.perSecond) / 2, (a.perCpuSecond + b.perCpuSecond) / 2);
        }
    }

    /** One measurement: the bare model (before and after the service) and the service. */
    public record Result(String model, int batchSize, int captions, Speed bareBefore, Speed service, Speed bareAfter) {
        /** The bare model, the mean of both runs. */
        public Speed bare() {
            return Speed.mean(bareBefore, bareAfter);
        }

        /** Service / bare, in captions per second. */
        public double ratio() {
            return service.perSecond() / bare().perSecond();
        }

        /** Service / bare, in captions per CPU-second. */
        public double cpuRatio() {
            return service.perCpuSecond() / bare().perCpuSecond();
        }

        /** The figures, on two lines. */
        public String summary() {
            return String.format(Locale.ROOT, "%s batch %d, %d captions:%n"
                    + "  captions/s:     bare %.1f (%.1f before, %.1f after), service %.1f, ratio %.2fx%n"
                    + "  captions/CPU-s: bare %.1f (%.1f before, %.1f after), service %.1f, ratio %.2fx",
                    model, batchSize, captions, bare().perSecond(), bareBefore.perSecond(), bareAfter.perSecond(),
                    service.perSecond(), ratio(), bare().perCpuSecond(), bareBefore.perCpuSecond(),
                    bareAfter.perCpuSecond(), service.perCpuSecond(), cpuRatio());
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
            Speed before = bare(modelSpec, options, measured, batchSize);
            Speed service = service(kafka, modelSpec, options, all.size(), warmUp, batchSize);
            Speed after = bare(modelSpec, options, measured, batchSize);
            return new Result(modelSpec, batchSize, captions, before, service, after);
        } finally {
            delete(dir);
        }
    }

    /** The bare model's speed; its CPU time includes the warm-up batch {@code TeacherBench.throughput} embeds first. */
    private static Speed bare(String modelSpec, TeacherOptions options, List<String> captions, int batchSize) {
        try (TeacherModel teacher = TeacherModels.load(modelSpec, options)) {
            long cpu = cpuNanos();
            double perSecond = TeacherBench.throughput(teacher, captions, new int[] {batchSize}).get(0).captionsPerSecond();
            int embedded = captions.size() + Math.min(batchSize, captions.size());
            return new Speed(perSecond, embedded / ((cpuNanos() - cpu) / 1e9));
        }
    }

    /** CPU time of this process, all threads (the broker's included). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void createTopics(KafkaConnection kafka) {
        try (Admin admin = Admin.create(kafka.admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(
                    new TopicSpec(TOPIC, 1, Map.of(), ImageCaptionPair.class, "pair id", "bench input"),
                    new TopicSpec("bench.embeddings", 1, Map.of(), EmbeddedPair.class, "pair id", "bench output"),
                    new TopicSpec("bench.dlq", 1, Map.of(), DeadLetter.class, "key", "bench dead letters")), 0);
        }
    }

    /** The service's speed over the {@code captions} pairs on the input after the first {@code warmUp}. */
    private static Speed service(KafkaConnection kafka, String modelSpec, TeacherOptions options, int captions,
            int warmUp, int batchSize) {
        TeacherServiceConfig config = TeacherServiceConfig.defaults(modelSpec).withTeacherOptions(options)
                .withTopics(TOPIC, "bench.embeddings", "bench.dlq").withGroup("bench", "bench-0")
                .withBatching(TeacherServiceConfig.DEFAULT_MAX_BATCH_TOKENS, batchSize, TeacherServiceConfig.DEFAULT_MAX_WAIT)
                .withCacheBytes(0);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (TeacherService service = TeacherService.start(config, kafka, registry)) {
            Counter embedded = registry.get("kclip.teacher.embedded").counter();
            long started = awaitCount(service, embedded, warmUp);
            long cpu = cpuNanos();
            long finished = awaitCount(service, embedded, captions);
            long cpuUsed = cpuNanos() - cpu;
            return new Speed((captions - warmUp) / ((finished - started) / 1e9), (captions - warmUp) / (cpuUsed / 1e9));
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
