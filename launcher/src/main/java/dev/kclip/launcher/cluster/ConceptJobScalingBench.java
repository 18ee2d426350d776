package dev.kclip.launcher.cluster;

import dev.kclip.common.broker.EmbeddedKafkaBroker;
import dev.kclip.common.cli.Cli;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.concepts.cli.ConceptsSubmitCommand;
import dev.kclip.flink.session.FlinkSessionProcesses;
import dev.kclip.flink.session.FlinkSessionSettings;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;

/**
 * Concept job throughput on a Flink session cluster of 1 and of 2 TaskManagers with one slot each (parallelism 1
 * and 2), in one run on the three-broker topology. The teacher benchmark's embeddings (real captions, real
 * images) are written {@code repeat} times under new ids to an input topic; for each TaskManager count a fresh
 * cluster gets the job with {@code kclip concepts submit --bounded} reading that topic from its start (its own
 * group and transactional ids), timed from its first committed label to the last. Job start and the K-means
 * bootstrap before the first label are left out; labels commit once a checkpoint (every second) completes, so
 * the input is sized for runs of tens of seconds.
 */
public final class ConceptJobScalingBench {

    /** Records labelled per second with one TaskManager count. */
    public record Result(int taskManagers, int records, double seconds, double recordsPerSecond) {
    }

    private static final AvroSerde<EmbeddedPair> EMBEDDED = new AvroSerde<>(EmbeddedPair.class);
    private static final Duration WAIT = Duration.ofMinutes(10);

    private final LocalTopology topology;
    private final Path home;
    private final PrintStream out;

    public ConceptJobScalingBench(LocalTopology topology, Path home, PrintStream out) {
        this.topology = topology;
        this.home = home;
        this.out = out;
    }

    /** Copies {@code source} {@code repeat} times to the job's input, then runs 1 and 2 TaskManagers; prints both. */
    public List<Result> run(String source, int repeat) throws Exception {
        String input = "kclip.bench.concepts-in";
        int records = copy(source, input, repeat);
        Result one = measure(1, input, records);
        Result two = measure(2, input, records);
        out.printf("bench: %d embeddings, concept job: 1 TaskManager %.0f records/s (%.1f s), 2 TaskManagers %.0f"
                + " records/s (%.1f s): %.2fx%n", records, one.recordsPerSecond(), one.seconds(),
                two.recordsPerSecond(), two.seconds(), two.recordsPerSecond() / one.recordsPerSecond());
        return List.of(one, two);
    }

    /** Every committed record of {@code source}, {@code repeat} times with ids suffixed {@code #r}. */
    private int copy(String source, String input, int repeat) throws Exception {
        try (Admin admin = Admin.create(topology.connection().admin())) {
            new TopicCatalogAdmin(admin).ensure(List.of(new TopicSpec(input, Topics.TEACHER_EMBEDDINGS.partitions(),
                    Topics.TEACHER_EMBEDDINGS.config(), EmbeddedPair.class, "pair id", "concept scaling benchmark input")),
                    0);
        }
        List<EmbeddedPair> embedded = new ArrayList<>();
        TopicReader.read(topology.connection(), source, true, Long.MAX_VALUE, Duration.ofSeconds(3),
                r -> embedded.add(EMBEDDED.deserialize(source, r.value())));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(topology.connection().producer(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int r = 0; r < repeat; r++) {
                for (EmbeddedPair e : embedded) {
                    EmbeddedPair copy = EmbeddedPair.newBuilder(e)
                            .setPair(ImageCaptionPair.newBuilder(e.getPair())
                                    .setId(e.getPair().getId() + "#" + r).build()).build();
                    producer.send(new ProducerRecord<>(input, copy.getPair().getId().getBytes(StandardCharsets.UTF_8),
                            EMBEDDED.serialize(input, copy)));
                }
            }
            producer.flush();
        }
        out.printf("bench: %d embeddings of %s written %d times to %s%n", embedded.size(), source, repeat, input);
        return embedded.size() * repeat;
    }

    private Result measure(int taskManagers, String input, int records) throws Exception {
        FlinkSessionSettings session = FlinkSessionSettings.local(home.resolve("flink-" + taskManagers),
                EmbeddedKafkaBroker.freePort(), EmbeddedKafkaBroker.freePort()).withSlots(1);
        LabelCounter labels = new LabelCounter(topology, records);
        try (FlinkSessionProcesses flink = FlinkSessionProcesses.create(session)) {
            flink.start(taskManagers, Duration.ofMinutes(2));
            String name = "bench-concepts-" + taskManagers;
            submit(List.of("--jobmanager", flink.restEndpoint(), "--bootstrap", topology.bootstrapServers(),
                    "--input-topic", input, "--group-id", name, "--transactional-id-prefix", name,
                    "--parallelism", Integer.toString(taskManagers), "--bounded", "--no-resume", "--k", "8",
                    "--bootstrap-size", "256", "--checkpoint-interval", "1s",
                    "--checkpoint-dir", session.checkpointDir(), "--savepoint-dir", session.savepointDir()));
            labels.await(WAIT);
        } finally {
            labels.close();
        }
        double seconds = labels.spanNanos() / 1e9;
        Result result = new Result(taskManagers, records, seconds, (records - labels.first()) / seconds);
        out.printf("bench: %d TaskManager(s): %d labels in %.1f s after the first commit, %.0f records/s%n",
                taskManagers, records, seconds, result.recordsPerSecond());
        return result;
    }

    private static void submit(List<String> args) {
        StringWriter text = new StringWriter();
        CommandLine command = Cli.configure(new CommandLine(new ConceptsSubmitCommand()));
        command.setOut(new PrintWriter(text, true));
        command.setErr(new PrintWriter(text, true));
        if (command.execute(args.toArray(String[]::new)) != 0) {
            throw new IllegalStateException("kclip concepts submit failed: " + text);
        }
    }

    /**
     * Counts the labels committed from now on (read_committed, from the topic's current end): the arrival of the
     * first commit, how many it held, and the arrival of the last expected one.
     */
    private static final class LabelCounter implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong seen = new AtomicLong();
        private final int expected;
        private volatile long firstNanos;
        private volatile long firstCount;
        private volatile long lastNanos;

        LabelCounter(LocalTopology topology, int expected) {
            this.expected = expected;
            consumer = new KafkaConsumer<>(topology.connection().consumer(null), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.TRAIN_EXAMPLES.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            thread = new Thread(this::count, "bench-labels");
            thread.setDaemon(true);
            thread.start();
        }

        private void count() {
            while (running.get()) {
                int n = 0;
                for (ConsumerRecord<byte[], byte[]> ignored : consumer.poll(Duration.ofMillis(100))) {
                    n++;
                }
                if (n > 0) {
                    long now = System.nanoTime();
                    if (seen.get() == 0) {
                        firstNanos = now;
                        firstCount = n;
                    }
                    if (seen.addAndGet(n) >= expected && lastNanos == 0) {
                        lastNanos = now;
                    }
                }
            }
        }

        void await(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (lastNanos == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(seen.get() + " of " + expected + " labels within " + timeout);
                }
                Thread.sleep(100);
            }
        }

        long first() {
            return firstCount;
        }

        long spanNanos() {
            return lastNanos - firstNanos;
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
            consumer.close();
        }
    }
}
