package dev.kclip.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.testdata.EmojiPairs;
import dev.kclip.trainer.testdata.LabelledPairs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once training across a crash, on the real broker: a trainer in its own process is killed with SIGKILL
 * mid-stream; the restarted one resumes from the newest checkpoint and trains every example after its offsets
 * exactly once (counted by id). Then the newest checkpoint's weights file is truncated: the next restart detects
 * it, falls back to the previous checkpoint, and trains from that one's offsets, again exactly once.
 */
@ExtendWith(KafkaBrokerExtension.class)
class CrashResumeIT {

    private static final int FIRST = 240;
    private static final int SECOND = 60;

    /** A small, fast student; checkpoints every 4 steps; batches of 16 (4 replayed). */
    static TrainerConfig config(String topic, Path checkpoints, String runId) {
        ModelConfig small = ModelConfig.fromJson(((ObjectNode) ModelConfig.tiny().toJson())
                .put("imageSize", 32).put("patchSize", 8).put("visionWidth", 64).put("visionLayers", 1)
                .put("visionHeads", 2).put("textWidth", 64).put("textLayers", 1).put("textHeads", 2)
                .put("embedDim", 64).put("name", "crash-test"));
        return TrainerConfig.defaults(checkpoints).withRunId(runId).withTopic(topic).withModel(small)
                .withBatching(new TrainerConfig.Batching(16, Duration.ofMillis(300)))
                .withReplay(new TrainerConfig.Replay(0.25, 200, 0, Duration.ofSeconds(30)))
                .withHeldOut(new TrainerConfig.HeldOut(0.0, 0, "label"))
                .withCheckpoints(new TrainerConfig.Checkpointing(checkpoints, 4, null, 10));
    }

    @Test
    void resumesFromTheNewestIntactCheckpointAndTrainsEachLaterExampleOnce(KafkaBroker kafka, @TempDir Path dir) throws Exception {
        KafkaConnection connection = kafka.connection();
        String topic = "crash-examples-" + UUID.randomUUID();
        try (Admin admin = Admin.create(connection.admin())) {
            TopicCatalogAdmin topics = new TopicCatalogAdmin(admin);
            topics.ensure(Topics.ALL, 0);
            topics.ensure(List.of(new TopicSpec(topic, 3, Map.of(), LabelledPair.class, "pair id", "test")), 0);
        }
        List<TrainingExample> examples = EmojiPairs.all();
        LabelledPairs.send(connection, topic, LabelledPairs.encoded(examples.subList(0, FIRST)));
        Path checkpoints = dir.resolve("checkpoints");
        String runId = "crash-" + UUID.randomUUID();

        // 1. a trainer process, killed with SIGKILL two steps after its second checkpoint
        Path journal = dir.resolve("journal.txt");
        Files.createFile(journal);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                TrainerProcess.class.getName(), kafka.bootstrapServers(), topic, checkpoints.toString(),
                journal.toString(), runId)
                .redirectErrorStream(true).redirectOutput(dir.resolve("process.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!killable(Files.readAllLines(journal))) {
                assertTrue(process.isAlive(), "trainer process died: " + Files.readString(dir.resolve("process.log")));
                assertTrue(System.nanoTime() < deadline, "trainer process made no progress");
                Thread.sleep(50);
            }
        } finally {
            process.destroyForcibly().waitFor();
        }
        List<String> firstRun = Files.readAllLines(journal);
        StoredCheckpoint newest = new CheckpointStore(checkpoints, 10).newestVerified().orElseThrow();
        assertTrue(firstRun.stream().anyMatch(l -> l.startsWith("step " + (newest.manifest().step() + 1) + " ")),
                "the process trained past its last checkpoint before it was killed");

        // 2. restart: resumes at the newest checkpoint, trains everything after its offsets exactly once
        List<String> allIds = examples.subList(0, FIRST).stream().map(TrainingExample::id).toList();
        Resumed resumed = resume(connection, topic, checkpoints, runId, expectedAfter(connection, topic, newest, FIRST));
        assertEquals(newest.manifest().step() + 1, resumed.firstStep(), "the restart continues from the checkpoint's step");
        assertEquals(sorted(expectedAfter(connection, topic, newest, FIRST)), sorted(resumed.ids()),
                "every example after the checkpoint's offsets, each once");
        List<String> trainedOnce = new ArrayList<>(trainedBefore(firstRun, newest.version()));
        trainedOnce.addAll(resumed.ids());
        assertEquals(sorted(allIds), sorted(trainedOnce), () -> "first run up to the checkpoint + resumed run = every"
                + " example once; the killed trainer's log:\n" + tail(dir.resolve("process.log")));

        // 3. more examples, then a damaged newest checkpoint: the restart falls back to the previous one
        LabelledPairs.send(connection, topic, LabelledPairs.encoded(examples.subList(FIRST, FIRST + SECOND)));
        CheckpointStore store = new CheckpointStore(checkpoints, 10);
        StoredCheckpoint last = store.newestVerified().orElseThrow();
        Path weights = last.file(StoredCheckpoint.WEIGHTS_FILE);
        try (FileChannel channel = FileChannel.open(weights, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
        assertFalse(CheckpointStore.verify(last.directory()).ok(), "a truncated weights file fails verification");
        StoredCheckpoint previous = CheckpointStore.verify(store.versionDirectories().get(1)).checkpoint();
        List<String> expected = expectedAfter(connection, topic, previous, FIRST + SECOND);
        Resumed fallback = resume(connection, topic, checkpoints, runId, expected);
        assertEquals(previous.manifest().step() + 1, fallback.firstStep(), "the restart used the previous checkpoint");
        assertEquals(sorted(expected), sorted(fallback.ids()), "every example after the previous checkpoint's offsets, each once");
    }

    /** The journal shows two checkpoints and two steps after the second. */
    private static boolean killable(List<String> lines) {
        int checkpoints = 0;
        int stepsAfter = 0;
        for (String line : lines) {
            if (line.startsWith("checkpoint ")) {
                checkpoints++;
                stepsAfter = 0;
            } else if (line.startsWith("step ")) {
                stepsAfter++;
            }
        }
        return checkpoints >= 2 && stepsAfter >= 2;
    }

    /**
     * Ids of the steps journalled before checkpoint {@code version}: by position, not by step number, since a step
     * whose update was skipped (non-finite gradients) reports the number of the step before it.
     */
    private static List<String> trainedBefore(List<String> journal, long version) {
        List<String> ids = new ArrayList<>();
        for (String line : journal) {
            String[] parts = line.split(" ");
            if (parts[0].equals("checkpoint") && Long.parseLong(parts[1]) == version) {
                return ids;
            }
            if (parts[0].equals("step")) {
                ids.addAll(List.of(parts).subList(2, parts.length));
            }
        }
        throw new AssertionError("checkpoint " + version + " is not in the journal: " + journal);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Ids of the records at or after the checkpoint's offsets. */
    private static List<String> expectedAfter(KafkaConnection connection, String topic, StoredCheckpoint checkpoint, int total) {
        Map<String, Long> offsets = checkpoint.manifest().offsets();
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(connection, topic, total, Duration.ofSeconds(5))) {
            if (r.offset() >= offsets.getOrDefault(CheckpointManifest.offsetKey(topic, r.partition()), 0L)) {
                ids.add(LabelledPairs.SERDE.deserialize(topic, r.value()).getEmbedded().getPair().getId());
            }
        }
        return ids;
    }

    record Resumed(long firstStep, List<String> ids) {
    }

    /**
     * Runs a trainer in this process until it has trained {@code expected.size()} stream examples, then stops it
     * and checks that its final checkpoint reaches the end of the topic.
     */
    private static Resumed resume(KafkaConnection connection, String topic, Path checkpoints, String runId,
            List<String> expected) throws Exception {
        List<StepReport> steps = new CopyOnWriteArrayList<>();
        TrainerService service = TrainerService.start(config(topic, checkpoints, runId), connection,
                new SimpleMeterRegistry(), new TrainingListener() {
                    @Override
                    public void onStep(StepReport report) {
                        steps.add(report);
                    }
                });
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (steps.stream().mapToInt(s -> s.freshIds().size()).sum() < expected.size()) {
                assertTrue(service.failure().isEmpty(), () -> "trainer failed: " + service.failure().get());
                assertTrue(System.nanoTime() < deadline, "resumed trainer did not train everything in time");
                Thread.sleep(50);
            }
        } finally {
            service.close();
        }
        // the final checkpoint covers the whole topic: every record read was resolved, so a record read twice
        // would have been trained twice and be in the ids
        Map<String, Long> end = endOffsets(connection, topic);
        assertEquals(end, new CheckpointStore(checkpoints, 10).newestVerified().orElseThrow().manifest().offsets(),
                "the resumed trainer consumed the topic to its end");
        List<String> ids = new ArrayList<>();
        steps.forEach(s -> ids.addAll(s.freshIds()));
        return new Resumed(steps.get(0).step(), ids);
    }

    /** Per {@code topic-partition}, the offset after the last record. */
    private static Map<String, Long> endOffsets(KafkaConnection connection, String topic) {
        Properties props = connection.consumer(null);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<String, Long> end = new TreeMap<>();
            consumer.endOffsets(partitions).forEach((tp, offset) ->
                    end.put(CheckpointManifest.offsetKey(tp.topic(), tp.partition()), offset));
            return end;
        }
    }

    private static List<String> sorted(List<String> ids) {
        List<String> copy = new ArrayList<>(ids);
        Collections.sort(copy);
        return copy;
    }
}
