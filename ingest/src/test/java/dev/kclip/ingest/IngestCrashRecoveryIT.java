package dev.kclip.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.ingest.push.RawPairProducer;
import dev.kclip.ingest.topology.IngestTopics;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest stage, running in its own JVM, is killed with SIGKILL while pairs are still arriving, then started
 * again on the same state folder: every pair comes out exactly once (read_committed), duplicates in the input
 * included, because output, offsets and the de-duplication store commit in one transaction.
 */
@ExtendWith(KafkaBrokerExtension.class)
class IngestCrashRecoveryIT {

    private static final int DISTINCT = 500;
    private static final int RESENT = 250;
    private static final AvroCodec<ImageCaptionPair> PAIRS = AvroCodec.forClass(ImageCaptionPair.class);

    @TempDir
    Path dir;

    @Test
    void killedMidStreamAndRestartedLosesNothingAndDuplicatesNothing(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        IngestTopics topics = IngestItSupport.uniqueTopics("crash");
        String application = "app." + topics.input();
        IngestItSupport.createTopics(kafka, topics);
        List<ImageCaptionPair> pairs = pairs();

        Process first = startChild(kafka, application, topics, "first");
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(kafka, topics.input(), pairs));
        try {
            awaitCommitted(kafka, application, topics.input(), 150);
            Thread.sleep(700); // into the next transaction, whose output is already on the broker
        } finally {
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, the open transaction left dangling
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        }
        long processedBeforeKill = IngestItSupport.committedTotal(kafka, application, topics.input());
        assertTrue(processedBeforeKill < DISTINCT + RESENT, "killed mid-stream: " + processedBeforeKill + " processed");

        Process second = startChild(kafka, application, topics, "second");
        try {
            producing.get(60, TimeUnit.SECONDS);
            IngestItSupport.awaitCaughtUp(kafka, application, topics.input(), Duration.ofSeconds(120));
        } finally {
            second.destroyForcibly();
            second.waitFor(30, TimeUnit.SECONDS);
        }

        List<ConsumerRecord<byte[], byte[]>> output = IngestItSupport.readAll(kafka, topics.output());
        Map<String, Long> countById = output.stream()
                .collect(Collectors.groupingBy(r -> PAIRS.decode(r.value()).getId(), Collectors.counting()));
        assertEquals(pairs.stream().map(ImageCaptionPair::getId).collect(Collectors.toSet()), countById.keySet(), "nothing lost");
        assertEquals(Map.of(1L, (long) DISTINCT), countById.values().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting())), "nothing twice");
        assertEquals(DISTINCT, output.size());
        assertTrue(IngestItSupport.readAll(kafka, topics.deadLetters()).isEmpty());
        // the kill did leave output of an unfinished transaction in the log; read_committed skipped it
        int uncommitted = IngestItSupport.readAll(readUncommitted(kafka), topics.output()).size();
        assertTrue(uncommitted > DISTINCT, "read_uncommitted sees " + uncommitted + " records: the aborted ones too");
    }

    private KafkaConnection readUncommitted(KafkaConnection kafka) throws IOException {
        Path properties = Files.writeString(dir.resolve("uncommitted.properties"), "isolation.level=read_uncommitted\n");
        return KafkaConnection.resolve(kafka.bootstrapServers(), properties, Map.of());
    }

    /** DISTINCT pairs, then the first RESENT of them again (a client retrying). */
    private static List<ImageCaptionPair> pairs() {
        List<ImageCaptionPair> distinct = new ArrayList<>();
        for (int i = 0; i < DISTINCT; i++) {
            byte[] image = TestImages.png(TestImages.solid(24, 16, new Color(i * 97 % 256, i * 31 % 256, i % 256)));
            distinct.add(TestPairs.pair(image, "pair number " + i));
        }
        List<ImageCaptionPair> all = new ArrayList<>(distinct);
        all.addAll(distinct.subList(0, RESENT));
        return all;
    }

    /** Sends the pairs at about 100 per second, so the stream is still flowing when the kill comes. */
    private static void produce(KafkaConnection kafka, String topic, List<ImageCaptionPair> pairs) {
        try (RawPairProducer producer = new RawPairProducer(kafka, topic, new Properties())) {
            for (int i = 0; i < pairs.size(); i++) {
                producer.send(pairs.get(i).getId(), RawPairProducer.encode(pairs.get(i))).join();
                if (i % 10 == 9) {
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitCommitted(KafkaConnection kafka, String group, String topic, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (IngestItSupport.committedTotal(kafka, group, topic) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the first ingest process committed fewer than " + atLeast + " records in 90 s");
            }
            Thread.sleep(100);
        }
    }

    private Process startChild(KafkaConnection kafka, String application, IngestTopics topics, String name)
            throws IOException, InterruptedException {
        Path log = dir.resolve(name + ".log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), IngestChildProcess.class.getName(),
                kafka.bootstrapServers(), application, dir.resolve("state").toString(),
                topics.input(), topics.output(), topics.deadLetters())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("RUNNING")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("ingest child process did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return process;
    }
}
