package dev.kclip.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.TopicSpec;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import dev.kclip.trainer.checkpoint.CheckpointFollower;
import dev.kclip.trainer.checkpoint.SigningKey;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.CheckpointSubscriber;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.testdata.EmojiPairs;
import dev.kclip.trainer.testdata.LabelledPairs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer as a service on the real broker: bad records are dead-lettered with their reason, a share is held
 * out and evaluated, the classifier follows a change of K and a concept whose id changed, idle time is spent on a bounded
 * number of replay steps, checkpoints are announced, and a follower installs the newest one behind {@code latest}.
 */
@ExtendWith(KafkaBrokerExtension.class)
class TrainerServiceIT {

    @Test
    void trainsAnnouncesFollowsAndRejects(KafkaBroker kafka, @TempDir Path dir) throws Exception {
        KafkaConnection connection = kafka.connection();
        String topic = "service-examples-" + UUID.randomUUID();
        String runId = "service-" + UUID.randomUUID();
        try (Admin admin = Admin.create(connection.admin())) {
            TopicCatalogAdmin topics = new TopicCatalogAdmin(admin);
            topics.ensure(Topics.ALL, 0);
            topics.ensure(List.of(new TopicSpec(topic, 1, Map.of(), LabelledPair.class, "pair id", "test")), 0);
        }
        List<TrainingExample> all = EmojiPairs.all();
        List<TrainingExample> before = all.subList(300, 340);
        List<TrainingExample> after = all.subList(340, 380);
        List<Map.Entry<String, byte[]>> records = new ArrayList<>(LabelledPairs.encoded(before));
        records.add(Map.entry("garbage", new byte[] {1, 2, 3}));
        records.add(Map.entry("bad-label", LabelledPairs.SERDE.serialize(topic,
                LabelledPairs.of(all.get(400), new float[] {0.9f, 0.9f}, 1))));
        // the concept updater grows K by two and reseeds concept 1 in version 3: index 1 gets a new id
        long newVersion = 3;
        int newK = EmojiPairs.CONCEPTS + 2;
        List<Long> newIds = new ArrayList<>();
        for (long i = 0; i < newK; i++) {
            newIds.add(i == 1 ? 1000 : i);
        }
        for (TrainingExample e : after) {
            float[] label = new float[newK];
            System.arraycopy(e.softLabel(), 0, label, 0, e.softLabel().length);
            records.add(Map.entry(e.id(), LabelledPairs.SERDE.serialize(topic,
                    LabelledPairs.of(e, label, newVersion, newIds))));
        }
        LabelledPairs.send(connection, topic, records);
        HeldOutSplit split = new HeldOutSplit(0.1);
        long heldOut = all.subList(300, 380).stream().filter(e -> split.isHeldOut(e.id())).count();
        long toTrain = 80 - heldOut;

        Path checkpoints = dir.resolve("checkpoints");
        Files.createDirectories(checkpoints);
        // signed by the trainer, checked by the follower, which takes checkpoints from the trainer's store only
        Path keyFile = Files.writeString(dir.resolve("signing.key"), "a shared key of thirty-two bytes\n");
        SigningKey key = SigningKey.read(keyFile);
        CheckpointFollower follower = new CheckpointFollower(dir.resolve("follow"),
                new CheckpointFollower.Policy(checkpoints, CheckpointFollower.DEFAULT_MAX_VERSION_JUMP, key));
        List<CheckpointEvent> announced = new CopyOnWriteArrayList<>();
        List<StepReport> steps = new CopyOnWriteArrayList<>();
        TrainerConfig config = CrashResumeIT.config(topic, checkpoints, runId)
                .withReplay(new TrainerConfig.Replay(0.25, 100, 2, Duration.ofSeconds(1)))
                .withHeldOut(new TrainerConfig.HeldOut(0.1, 100, "label"))
                .withCheckpoints(new TrainerConfig.Checkpointing(checkpoints, 3, null, 3).withSigningKeyFile(keyFile));
        try (CheckpointSubscriber subscriber = CheckpointSubscriber.start(connection, runId, event -> {
            announced.add(event);
            follower.accept(event);
        })) {
            TrainerService service = TrainerService.start(config, connection, new SimpleMeterRegistry(), new TrainingListener() {
                @Override
                public void onStep(StepReport report) {
                    steps.add(report);
                }
            });
            try {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (steps.stream().mapToLong(s -> s.freshIds().size()).sum() < toTrain
                        || steps.stream().filter(s -> s.freshIds().isEmpty()).count() < 2) {
                    assertTrue(service.failure().isEmpty(), () -> "trainer failed: " + service.failure().get());
                    assertTrue(System.nanoTime() < deadline, "trainer did not finish in time");
                    Thread.sleep(50);
                }
                // the idle budget is 2 steps: the trainer says when it is spent (StreamTrainerTest counts the steps
                // against a fake clock)
                while (!service.health().detail().startsWith("idle, replay budget spent")) {
                    assertTrue(System.nanoTime() < deadline, "the idle budget was never spent: " + service.health());
                    Thread.sleep(50);
                }
            } finally {
                service.close();
            }
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (announced.stream().noneMatch(e -> e.getVersion() == lastVersion(checkpoints)) && System.nanoTime() < waitUntil) {
                Thread.sleep(50);
            }
        }

        assertEquals(toTrain, steps.stream().mapToLong(s -> s.freshIds().size()).sum(), "every good, not held-out example once");
        assertEquals(2, steps.stream().filter(s -> s.freshIds().isEmpty()).count(), "replay-only steps stop at the idle budget");
        assertTrue(steps.stream().filter(s -> !s.freshIds().isEmpty()).skip(1).allMatch(s -> s.replayed() > 0),
                "batches after the first mix in replayed examples");

        StoredCheckpoint last = new CheckpointStore(checkpoints, 3).newestVerified().orElseThrow();
        CheckpointManifest m = last.manifest();
        assertEquals(newK, m.model().conceptCount(), "the classifier grew with K");
        assertEquals(newVersion, m.centroidVersion());
        assertEquals(newIds, m.conceptIds(), "the checkpoint records the ids its classifier rows follow");
        assertEquals(82, m.examplesConsumed());
        assertEquals(2, m.deadLettered());
        assertEquals(heldOut, m.examplesHeldOut());
        assertEquals(Map.of(topic + "-0", 82L), m.offsets());
        assertTrue(m.metrics().containsKey("teacher_knn_overlap_10") || m.metrics().containsKey("teacher_cosine"),
                "held-out evaluation in the checkpoint: " + m.metrics());
        assertTrue(m.losses().keySet().containsAll(List.of("embedding", "concept", "contrastive", "total")));

        CheckpointEvent event = announced.stream().filter(e -> e.getVersion() == last.version()).findFirst().orElseThrow();
        assertEquals(last.manifestSha256(), event.getManifestSha256());
        assertEquals(last.directory().toUri().toString(), event.getLocation());
        assertEquals(82, event.getExamplesConsumed());
        Path latest = dir.resolve("follow").resolve(CheckpointFollower.LATEST);
        assertTrue(Files.isSymbolicLink(latest));
        assertEquals(CheckpointStore.directoryName(last.version()), Files.readSymbolicLink(latest).toString());
        assertTrue(CheckpointStore.verify(latest.toRealPath(), key).ok(), "the installed copy is signed");

        // a tampered announcement (manifest hash differs) is not installed
        CheckpointEvent forged = CheckpointEvent.newBuilder(event).setVersion(event.getVersion() + 100)
                .setManifestSha256("0".repeat(64)).build();
        assertTrue(!follower.accept(forged));
        assertEquals(CheckpointStore.directoryName(last.version()), Files.readSymbolicLink(latest).toString());

        List<DeadLetter> letters = new ArrayList<>();
        AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.class);
        TopicReader.read(connection, Topics.DEAD_LETTERS.name(), true, Long.MAX_VALUE, Duration.ofSeconds(3), r -> {
            DeadLetter d = serde.deserialize(r.topic(), r.value());
            if (d.getSourceTopic().equals(topic)) {
                letters.add(d);
            }
            return true;
        });
        assertEquals(List.of("BAD_RECORD", "BAD_SOFT_LABEL"), letters.stream().map(DeadLetter::getReasonCode).toList());
        assertEquals(List.of(40L, 41L), letters.stream().map(DeadLetter::getSourceOffset).toList());
        assertTrue(letters.stream().allMatch(d -> d.getStage().equals("trainer")));
    }

    private static long lastVersion(Path checkpoints) {
        return new CheckpointStore(checkpoints, 3).nextVersion() - 1;
    }
}
