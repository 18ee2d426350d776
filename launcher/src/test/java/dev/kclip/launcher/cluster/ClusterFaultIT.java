package dev.kclip.launcher.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.datasets.read.PairEntry;
import dev.kclip.datasets.read.JsonlReader;
import dev.kclip.datasets.read.ReaderOptions;
import dev.kclip.flink.session.FlinkSessionProcesses;
import dev.kclip.ingest.push.Pusher;
import dev.kclip.ingest.push.progress.PushProgress;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distributed topology as separate processes ({@link LocalTopology}: three KRaft brokers, two ingest and two
 * teacher instances, the concept job submitted with {@code kclip concepts submit} to a Flink session cluster of a
 * JobManager and two TaskManagers at parallelism 2, a trainer), broken on purpose while pairs stream through it:
 * {@code kill -9} of a TaskManager, of the JobManager (restarted, the job resubmitted from its newest retained
 * checkpoint), of a broker, of the active controller, of a teacher instance and of the trainer, one after another
 * (each killed process but the teacher is restarted before the next fault). Afterwards every accepted pair was
 * embedded once, labelled once and trained once (by id, read_committed, across the whole run), no centroid
 * version went backwards, and each fault's time to recover (kill → first output of the affected stage from a pair
 * pushed after the kill) is printed.
 */
class ClusterFaultIT {

    private static final Duration RECOVERY = Duration.ofMinutes(2);
    /** Labels after a recovery before each of the job's subtasks has surely moved past the restored version. */
    private static final int SETTLE = 40;
    private static final AvroSerde<LabelledPair> LABELLED = new AvroSerde<>(LabelledPair.class);
    private static final AvroSerde<CentroidSnapshot> SNAPSHOTS = new AvroSerde<>(CentroidSnapshot.class);
    private static final AvroSerde<CheckpointEvent> CHECKPOINTS = new AvroSerde<>(CheckpointEvent.class);

    @TempDir
    Path home;

    @Test
    void everyPairOnceThroughFlinkBrokerControllerTeacherAndTrainerKills() throws Exception {
        TopologySettings settings = TopologySettings.defaults(home).withBasePort(0)
                .withTeachers(2, "llama2c:" + Path.of("../teacher-models/src/test/resources/llama2c-260k/model.bin")
                        .toAbsolutePath().normalize())
                .withConcepts(4, 16, Duration.ofSeconds(1))
                .withTrainer("tiny", 3)
                .withSessionTimeout(Duration.ofSeconds(6))
                .withFlinkTaskManagers(2);
        List<PairEntry> emoji = new JsonlReader(ReaderOptions.DEFAULTS.withLabelField("category"))
                .read(Path.of("../datasets/emoji-64/pairs.jsonl")).entries();
        Map<String, Long> recoveryMillis = new LinkedHashMap<>();
        List<Settled> settled = new ArrayList<>();

        try (LocalTopology topology = LocalTopology.start(settings, line -> System.out.println("[cluster] " + line));
                TopicRecorder watch = new TopicRecorder(topology.connection(), List.of(Topics.PAIRS_RAW.name(),
                        Topics.PAIRS.name(), Topics.TEACHER_EMBEDDINGS.name(), Topics.TRAIN_EXAMPLES.name(),
                        Topics.CENTROIDS.name(), Topics.CHECKPOINTS.name()));
                Feeder feeder = new Feeder(topology, emoji)) {
            watch.await(Topics.CHECKPOINTS.name(), s -> true, Duration.ofMinutes(4), "a first trainer checkpoint");

            // 1. a TaskManager: the job fails over to the other one's slots from its last checkpoint
            FlinkSessionProcesses flink = topology.flink();
            long beforeTm = newestLabelVersion(watch);
            long killed = kill(() -> flink.killTaskManager("taskmanager-1"));
            recoveryMillis.put("TaskManager", firstLabelledPushedAfter(watch, killed) - millis(killed));
            settled.add(new Settled(beforeTm, watch.of(Topics.TRAIN_EXAMPLES.name()).size()));
            flink.startTaskManager("taskmanager-1");
            flink.awaitTaskManagers(2, RECOVERY);

            // 2. the JobManager (no HA): restarted, the job resubmitted; it restores its newest retained checkpoint
            long beforeJm = newestLabelVersion(watch);
            killed = kill(flink::killJobManager);
            flink.startJobManager(RECOVERY);
            flink.awaitTaskManagers(2, RECOVERY);
            String resubmitted = topology.submitConcepts();
            assertTrue(resubmitted.contains("restoring") && resubmitted.contains("chk-"), resubmitted);
            recoveryMillis.put("JobManager (restart + resubmit)", firstLabelledPushedAfter(watch, killed) - millis(killed));
            settled.add(new Settled(beforeJm, watch.of(Topics.TRAIN_EXAMPLES.name()).size()));

            // 3. a broker that is not the active controller
            int controller = topology.activeController();
            StageProcess broker = topology.broker(controller == 1 ? 2 : 1);
            recoveryMillis.put("broker " + broker.name(), killBroker(topology, broker, watch));

            // 4. the active controller: the quorum elects another
            int activeBefore = topology.activeController();
            recoveryMillis.put("active controller (node " + activeBefore + ")",
                    killBroker(topology, topology.broker(activeBefore), watch));
            assertTrue(topology.activeController() > 0, "a controller leads again");

            // 5. a teacher instance: the other takes its partitions (it stays dead)
            StageProcess teacher = topology.teachers().get(0);
            killed = kill(teacher);
            watch.await(Topics.TEACHER_EMBEDDINGS.name(), s -> true, RECOVERY, "any embedding");
            recoveryMillis.put("teacher " + teacher.name(), allPartitionsAfter(watch, Topics.TEACHER_EMBEDDINGS.name(),
                    Topics.TEACHER_EMBEDDINGS.partitions(), killed) - millis(killed));

            // 6. the trainer, restarted: resumes from its newest checkpoint
            killed = kill(topology.trainer());
            long newestBefore = watch.of(Topics.CHECKPOINTS.name()).stream()
                    .mapToLong(s -> CHECKPOINTS.deserialize(null, s.value()).getVersion()).max().orElse(0);
            topology.restart(topology.trainer());
            TopicRecorder.Seen event = watch.await(Topics.CHECKPOINTS.name(),
                    s -> CHECKPOINTS.deserialize(null, s.value()).getVersion() > newestBefore, RECOVERY,
                    "a checkpoint of the restarted trainer");
            recoveryMillis.put("trainer", millis(event.arrivedNanos()) - millis(killed));

            // drain: every pair pushed is labelled, and a checkpoint holds every labelled example
            feeder.stop();
            Set<String> pushed = ids(watch, Topics.PAIRS_RAW.name());
            awaitAll(watch, Topics.TRAIN_EXAMPLES.name(), pushed);
            int labelled = watch.of(Topics.TRAIN_EXAMPLES.name()).size();
            watch.await(Topics.CHECKPOINTS.name(),
                    s -> CHECKPOINTS.deserialize(null, s.value()).getExamplesConsumed() >= labelled,
                    RECOVERY, "a checkpoint holding all " + labelled + " examples");

            // exactly once, by id, across the whole run
            Set<String> accepted = ids(watch, Topics.PAIRS.name());
            assertEquals(pushed, accepted, "every pushed pair accepted (emoji-64 has no invalid pair)");
            assertEachOnce(watch, Topics.PAIRS.name(), accepted);
            assertEachOnce(watch, Topics.TEACHER_EMBEDDINGS.name(), accepted);
            assertEachOnce(watch, Topics.TRAIN_EXAMPLES.name(), accepted);
            CheckpointEvent last = CHECKPOINTS.deserialize(null, watch.of(Topics.CHECKPOINTS.name())
                    .get(watch.of(Topics.CHECKPOINTS.name()).size() - 1).value());
            assertEquals(labelled, last.getExamplesConsumed(), "every labelled example trained once, none twice");
            for (TopicRecorder.Seen s : watch.of(Topics.TRAIN_EXAMPLES.name())) {
                assertTrue(last.getOffsets().getOrDefault(Topics.TRAIN_EXAMPLES.name() + "-" + s.partition(), 0L) > s.offset(),
                        "the last checkpoint's offsets are past every example");
            }

            // centroid versions never go backwards: in the snapshots, and no label of a recovered job carries a
            // version below one committed before its kill (two sink writers interleave within a checkpoint, so
            // labels are ordered across checkpoints, not record by record; a fresh bootstrap would start below)
            List<TopicRecorder.Seen> labels = watch.of(Topics.TRAIN_EXAMPLES.name());
            for (Settled fault : settled) {
                for (TopicRecorder.Seen s : labels.subList(Math.min(labels.size(), fault.fromIndex() + SETTLE), labels.size())) {
                    long version = LABELLED.deserialize(null, s.value()).getCentroidVersion();
                    assertTrue(version >= fault.committedVersion(), "partition " + s.partition() + ": version "
                            + version + " after " + fault.committedVersion() + " was committed before the kill");
                }
            }
            long previous = -1;
            for (TopicRecorder.Seen s : watch.of(Topics.CENTROIDS.name())) {
                long version = SNAPSHOTS.deserialize(null, s.value()).getVersion();
                assertTrue(version >= previous, "snapshot version " + version + " after " + previous);
                previous = version;
            }
            System.out.println("[cluster] " + accepted.size() + " pairs; time to recover: " + recoveryMillis.entrySet()
                    .stream().map(e -> e.getKey() + " " + e.getValue() + " ms").collect(Collectors.joining(", ")));
        }
    }

    /** Kills a broker while pairs stream, restarts it; returns kill → first pair pushed after it being labelled. */
    private static long killBroker(LocalTopology topology, StageProcess broker, TopicRecorder watch) throws Exception {
        long killed = kill(broker);
        long recovered = firstLabelledPushedAfter(watch, killed);
        topology.restart(broker);
        return recovered - millis(killed);
    }

    private static long kill(StageProcess process) {
        long now = System.nanoTime();
        process.kill();
        return now;
    }

    private static long kill(FlinkKill kill) throws InterruptedException {
        long now = System.nanoTime();
        kill.run();
        return now;
    }

    /** {@code kill -9} of a Flink process. */
    private interface FlinkKill {
        void run() throws InterruptedException;
    }

    /** A fault of the concept job: the newest label version before the kill, and the labels seen at recovery. */
    private record Settled(long committedVersion, int fromIndex) {
    }

    /** The highest centroid version among the labels read so far. */
    private static long newestLabelVersion(TopicRecorder watch) {
        return watch.of(Topics.TRAIN_EXAMPLES.name()).stream()
                .mapToLong(s -> LABELLED.deserialize(null, s.value()).getCentroidVersion()).max().orElse(0);
    }

    /** Arrival (ms) of the first labelled example whose raw pair arrived after {@code nanos}. */
    private static long firstLabelledPushedAfter(TopicRecorder watch, long nanos) throws InterruptedException {
        TopicRecorder.Seen first = watch.await(Topics.TRAIN_EXAMPLES.name(),
                s -> pushedAfter(watch, s.key(), nanos), RECOVERY, "a labelled pair pushed after the kill");
        return millis(first.arrivedNanos());
    }

    private static boolean pushedAfter(TopicRecorder watch, String id, long nanos) {
        return watch.of(Topics.PAIRS_RAW.name()).stream().anyMatch(r -> r.key().equals(id) && r.arrivedNanos() > nanos);
    }

    /** When every partition of {@code topic} had a record of a pair pushed after {@code nanos} (ms). */
    private static long allPartitionsAfter(TopicRecorder watch, String topic, int partitions, long nanos)
            throws InterruptedException {
        long latest = 0;
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            TopicRecorder.Seen s = watch.await(topic, r -> r.partition() == partition && pushedAfter(watch, r.key(), nanos),
                    RECOVERY, "partition " + p + " of " + topic + " served after the kill");
            latest = Math.max(latest, millis(s.arrivedNanos()));
        }
        return latest;
    }

    private static void awaitAll(TopicRecorder watch, String topic, Set<String> ids) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        while (!ids(watch, topic).containsAll(ids)) {
            assertTrue(System.nanoTime() < deadline, "not every pair reached " + topic + ": "
                    + ids(watch, topic).size() + " of " + ids.size());
            Thread.sleep(200);
        }
    }

    private static Set<String> ids(TopicRecorder watch, String topic) {
        return watch.of(topic).stream().map(TopicRecorder.Seen::key).collect(Collectors.toSet());
    }

    private static void assertEachOnce(TopicRecorder watch, String topic, Set<String> ids) {
        Map<String, Long> counts = watch.of(topic).stream()
                .collect(Collectors.groupingBy(TopicRecorder.Seen::key, Collectors.counting()));
        assertEquals(ids, counts.keySet(), topic + " holds exactly the accepted pairs");
        Map<String, Long> twice = counts.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(), twice, topic + ": ids written more than once");
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    /** Pushes two pairs of emoji-64 every half second, each a new pair, until stopped. */
    private static final class Feeder implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private final Pusher pusher;

        Feeder(LocalTopology topology, List<PairEntry> entries) {
            pusher = Pusher.open(topology.connection(), Topics.PAIRS_RAW.name(), PushProgress.silent());
            thread = new Thread(() -> {
                try {
                    for (int i = 0; running.get() && i + 2 <= entries.size(); i += 2) {
                        pusher.pushInOrder("emoji-64", entries.subList(i, i + 2));
                        Thread.sleep(500);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "feeder");
            thread.start();
        }

        /** Stops pushing, after the pair being pushed. */
        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
            if (failure.get() != null) {
                throw new AssertionError("pushing failed", failure.get());
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
            pusher.close();
        }
    }
}
