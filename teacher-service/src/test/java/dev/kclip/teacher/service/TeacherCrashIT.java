package dev.kclip.teacher.service;

import static dev.kclip.teacher.service.ServiceTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.ImageCaptionPair;
import dev.kclip.teacher.cli.TeacherCommand;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exactly once across {@code kill -9}: {@code kclip teacher serve} runs in a child JVM, is killed with SIGKILL
 * halfway through 2,000 pairs (mid-transaction, most likely), and restarted with the same instance id; the output
 * topic, read committed, then holds exactly one record per input pair.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TeacherCrashIT {

    private static final int PAIRS = 2000;
    private static final String NAME = "teacher-crash-it";

    @Test
    void afterKill9AndARestartEveryPairHasExactlyOneRecord(KafkaBroker broker) throws Exception {
        KafkaConnection kafka = broker.connection();
        ServiceTestKit.createTopics(kafka, NAME, 3);
        List<ImageCaptionPair> pairs = new ArrayList<>();
        for (int i = 0; i < PAIRS; i++) {
            pairs.add(ServiceTestKit.pair("pair " + i + ": a dog and a cat on a sofa", i));
        }
        ServiceTestKit.produce(kafka, NAME + ".pairs", pairs);
        Path logs = Files.createDirectories(Path.of("target", "crash-it"));

        int atKill;
        try (ServiceTestKit.CommittedKeys out = new ServiceTestKit.CommittedKeys(kafka, NAME + ".embeddings", true)) {
            Process first = serve(broker, logs.resolve("first.log"));
            await(() -> !first.isAlive() || out.poll() >= PAIRS / 3, Duration.ofSeconds(120), "a third of the pairs");
            assertTrue(first.isAlive(), "the first process died by itself; see " + logs.resolve("first.log"));
            first.destroyForcibly();                                // SIGKILL: no shutdown hook, no abort, no close
            assertTrue(first.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, first.exitValue(), "killed by SIGKILL");
            atKill = out.poll();
            assertTrue(atKill < PAIRS, "killed halfway, not after the end: " + atKill);

            Process second = serve(broker, logs.resolve("second.log"));
            try {
                await(() -> !second.isAlive() || out.poll() == PAIRS, Duration.ofSeconds(120), "all pairs after the restart");
                assertTrue(second.isAlive(), "the restarted process died; see " + logs.resolve("second.log"));
            } finally {
                second.destroy();                                   // SIGTERM: a clean stop
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }

        List<ConsumerRecord<byte[], byte[]>> records = ServiceTestKit.readAll(kafka, NAME + ".embeddings", Duration.ofSeconds(3));
        List<String> ids = records.stream()
                .map(r -> ServiceTestKit.EMBEDDED.decode(r.value()).getPair().getId()).toList();
        assertEquals(PAIRS, ids.size(), "one record per pair, none twice (" + atKill + " were committed at the kill)");
        assertEquals(pairs.stream().map(ImageCaptionPair::getId).collect(Collectors.toSet()), new HashSet<>(ids));
        Set<String> models = records.stream().map(r -> ServiceTestKit.EMBEDDED.decode(r.value()))
                .map(EmbeddedPair::getTeacherModelId).collect(Collectors.toSet());
        assertEquals(Set.of("llama2c:model.bin#mean,no-bos"), models);
        assertEquals(0, ServiceTestKit.readAll(kafka, NAME + ".dlq", Duration.ofSeconds(1)).size());
        try (ServiceTestKit.CommittedKeys uncommitted = new ServiceTestKit.CommittedKeys(kafka, NAME + ".embeddings", false)) {
            await(() -> uncommitted.poll() == PAIRS, Duration.ofSeconds(30), "read_uncommitted to catch up");
            long extra = uncommitted.records() - PAIRS;
            System.out.println("records of aborted transactions left by the kill (visible only read_uncommitted): " + extra);
        }
    }

    /** {@code kclip teacher serve} in a child JVM with this test's classpath, small batches so the kill lands mid-stream. */
    private static Process serve(KafkaBroker broker, Path log) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", classpath, TeacherCommand.class.getName(), "serve",
                "--bootstrap", broker.bootstrapServers(),
                "--model", "llama2c:" + TestCheckpoints.fixture(),
                "--input", NAME + ".pairs", "--output", NAME + ".embeddings", "--dead-letters", NAME + ".dlq",
                "--group", NAME, "--instance-id", "crash-0",
                "--max-batch-captions", "8", "--max-wait-ms", "10", "--metrics-port", "0");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
