package dev.kclip.flink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.cli.Cli;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.concepts.cli.ConceptsSubmitCommand;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The concept job on a real session cluster (JobManager and two TaskManagers as separate JVMs on Flink's jars
 * only), submitted as the job jar by {@code kclip concepts submit} at parallelism 2, while teacher embeddings
 * stream in: {@code kill -9} of a TaskManager (the restart strategy brings the job back on the other one's two
 * slots), then of the JobManager (restarted, and a second submit restores the last retained checkpoint). Every
 * embedding is labelled exactly once (read_committed, by record id over the whole run), no centroid version goes
 * backwards, and each fault's recovery time (kill to the first labelled record committed after it) is printed.
 */
@ExtendWith(KafkaBrokerExtension.class)
class FlinkSessionFaultsIT {

    private static final int DIM = 16;
    private static final int CLUSTERS = 4;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final AvroCodec<EmbeddedPair> PAIRS = AvroCodec.forClass(EmbeddedPair.class);
    private static final AvroCodec<LabelledPair> LABELS = AvroCodec.forClass(LabelledPair.class);
    private static final AvroCodec<CentroidSnapshot> SNAPSHOTS = AvroCodec.forClass(CentroidSnapshot.class);

    @TempDir
    Path dir;

    /** Labelled records as read, in arrival order: id, partition, centroid version, arrival time. */
    private record Label(String id, int partition, long version, long arrivedNanos) {
    }

    private final List<Label> labels = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> labelCounts = new ConcurrentHashMap<>();

    @Test
    void survivesATaskManagerAndAJobManagerKilledWhileStreaming(KafkaBroker kafka) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            new TopicCatalogAdmin(admin).ensure(List.of(Topics.TEACHER_EMBEDDINGS, Topics.TRAIN_EXAMPLES,
                    Topics.CENTROIDS, Topics.DRIFT, Topics.DEAD_LETTERS), 2);
        }
        FlinkSessionSettings settings = FlinkSessionSettings.local(dir.resolve("flink"), freePort(), freePort());
        Path jobJar = Path.of(System.getProperty("kclip.job.jar"));
        List<String> submit = List.of("--jobmanager", settings.restEndpoint(), "--jar", jobJar.toString(),
                "--bootstrap", bootstrap, "--parallelism", "2", "--k", String.valueOf(CLUSTERS),
                "--bootstrap-size", "200", "--batch", "32", "--checkpoint-interval", "1s",
                "--transaction-timeout", "2m", "--checkpoint-dir", settings.checkpointDir(),
                "--savepoint-dir", settings.savepointDir());

        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicInteger produced = new AtomicInteger();
        Thread producer = new Thread(() -> produce(bootstrap, streaming, produced), "pairs");
        Thread reader = new Thread(() -> readLabels(bootstrap), "labels");
        reader.setDaemon(true);
        try (FlinkSessionProcesses cluster = FlinkSessionProcesses.create(settings)) {
            cluster.start(2, WAIT);
            String first = submit(submit);
            assertTrue(first.contains("starting fresh"), first);
            producer.start();
            reader.start();
            await("the first labels", () -> labels.size() >= 300);
            await("a retained checkpoint", () -> checkpoints(settings) > 0);

            long tmKilled = System.nanoTime();
            long beforeTmKill = maxVersion();
            cluster.killTaskManager("taskmanager-1");
            Duration tmRecovery = firstNewerLabel(tmKilled, beforeTmKill);
            int before = labels.size();
            await("labels after the TaskManager's recovery", () -> labels.size() >= before + 300);
            int settledAfterTm = labels.size();

            long jmKilled = System.nanoTime();
            long beforeJmKill = maxVersion();
            cluster.killJobManager();
            cluster.startJobManager(WAIT);
            cluster.awaitTaskManagers(1, WAIT);
            String second = submit(submit);
            assertTrue(second.contains("restoring ") && second.contains("chk-"), second);
            Duration jmRecovery = firstNewerLabel(jmKilled, beforeJmKill);
            int afterRestore = labels.size();
            await("labels after the resubmit", () -> labels.size() >= afterRestore + 300);
            int settledAfterJm = labels.size();

            streaming.set(false);
            producer.join();
            int total = produced.get();
            await("every pair labelled", () -> labelCounts.size() >= total);
            System.out.printf("flink session faults: %d pairs; recovery after kill -9 of a TaskManager %.1f s, of the"
                    + " JobManager (restart + resubmit) %.1f s%n", total, tmRecovery.toMillis() / 1000.0,
                    jmRecovery.toMillis() / 1000.0);

            assertEquals(total, labelCounts.size());
            labelCounts.forEach((id, count) -> assertEquals(1, count, id + " labelled " + count + " times"));
            // Two sink writers (P=2) interleave within a partition inside one checkpoint, so versions are ordered
            // across checkpoints, not record by record: once a recovered job's labels have arrived, none may carry a
            // version below what was committed before the kill (a fresh bootstrap or an older state would)
            assertNoVersionBelow(beforeTmKill, settledAfterTm);
            assertNoVersionBelow(beforeJmKill, settledAfterJm);
            List<Long> snapshotVersions = snapshotVersions(bootstrap);
            for (int i = 1; i < snapshotVersions.size(); i++) {
                assertTrue(snapshotVersions.get(i - 1) <= snapshotVersions.get(i), "snapshots " + snapshotVersions);
            }
            assertTrue(snapshotVersions.size() > 1, "snapshots " + snapshotVersions);
        } finally {
            streaming.set(false);
        }
    }

    private static String submit(List<String> args) {
        StringWriter out = new StringWriter();
        CommandLine command = Cli.configure(new CommandLine(new ConceptsSubmitCommand()));
        command.setOut(new PrintWriter(out, true));
        StringWriter err = new StringWriter();
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(args.toArray(String[]::new));
        assertEquals(0, code, "submit failed: " + err + out);
        return out.toString();
    }

    /** Kill to the first label the recovered job made: newer than every version committed before the kill. */
    private Duration firstNewerLabel(long killedNanos, long committedVersion) throws InterruptedException {
        await("a new label after the kill", () -> labels.stream().anyMatch(l -> l.version() > committedVersion));
        long first = labels.stream().filter(l -> l.version() > committedVersion).mapToLong(Label::arrivedNanos).min()
                .orElseThrow();
        return Duration.ofNanos(first - killedNanos);
    }

    private long maxVersion() {
        return labels.stream().mapToLong(Label::version).max().orElse(0);
    }

    private void assertNoVersionBelow(long committedBeforeKill, int fromIndex) {
        Map<Integer, Long> lowest = new HashMap<>();
        for (Label label : labels.subList(fromIndex, labels.size())) {
            lowest.merge(label.partition(), label.version(), Math::min);
        }
        lowest.forEach((partition, version) -> assertTrue(version >= committedBeforeKill, "partition " + partition
                + ": version " + version + " after " + committedBeforeKill + " was committed before the kill"));
    }

    private static long checkpoints(FlinkSessionSettings settings) {
        try (var files = java.nio.file.Files.find(Path.of(java.net.URI.create(settings.checkpointDir())), 3,
                (p, a) -> p.getFileName().toString().equals("_metadata"))) {
            return files.count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + WAIT);
            }
            Thread.sleep(100);
        }
    }

    /** Teacher embeddings from four separated clusters, about 150 a second, until told to stop. */
    private static void produce(String bootstrap, AtomicBoolean streaming, AtomicInteger produced) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        Random random = new Random(7);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            while (streaming.get()) {
                for (int i = 0; i < 15; i++) {
                    String id = String.format("pair-%06d", produced.get());
                    float[] vector = new float[DIM];
                    int cluster = random.nextInt(CLUSTERS);
                    for (int d = 0; d < DIM; d++) {
                        vector[d] = (d % CLUSTERS == cluster ? 4f : 0f) + (float) random.nextGaussian() * 0.2f;
                    }
                    producer.send(new ProducerRecord<>(Topics.TEACHER_EMBEDDINGS.name(),
                            id.getBytes(StandardCharsets.UTF_8), PAIRS.encode(embedded(id, vector))));
                    produced.incrementAndGet();
                }
                producer.flush();
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static EmbeddedPair embedded(String id, float[] vector) {
        Instant now = Instant.now();
        ImageCaptionPair pair = ImageCaptionPair.newBuilder().setId(id).setCaption("caption " + id)
                .setImage(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G'})).setMediaType("image/png")
                .setWidth(1).setHeight(1).setSource("flink-session-it").setLabel(null).setAttributes(Map.of())
                .setEventTime(now).setIngestTime(now).build();
        return EmbeddedPair.newBuilder().setPair(pair).setTeacherModelId("it-teacher")
                .setEmbedding(Float32Vectors.encode(vector)).setDim(DIM).setTokenCount(2).setTruncated(false)
                .setEmbeddedTime(now).build();
    }

    /** Reads the labelled topic read_committed from the start, for the whole run. */
    private void readLabels(String bootstrap) {
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader(bootstrap)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TRAIN_EXAMPLES.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (true) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    LabelledPair label = LABELS.decode(record.value());
                    String id = label.getEmbedded().getPair().getId();
                    labelCounts.merge(id, 1, Integer::sum);
                    labels.add(new Label(id, record.partition(), label.getCentroidVersion(), System.nanoTime()));
                }
            }
        }
    }

    /** The committed snapshot versions of the one teacher, in the order of its partition. */
    private static List<Long> snapshotVersions(String bootstrap) {
        List<Long> versions = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader(bootstrap)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.CENTROIDS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> versions.add(SNAPSHOTS.decode(r.value()).getVersion()));
            }
        }
        return versions;
    }

    private static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
