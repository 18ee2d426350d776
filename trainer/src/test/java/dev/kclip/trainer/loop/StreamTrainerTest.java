package dev.kclip.trainer.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.RejectReason;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.BucketAccuracy;
import dev.kclip.trainer.eval.ContinualMetrics;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.RowRemap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamTrainer} without Kafka or a model: a fake student records what it is asked to train, a fake store
 * keeps manifests in memory, and the clock moves only when the test says.
 */
class StreamTrainerTest {

    private static final String TOPIC = "examples";
    private static final long SECOND = 1_000_000_000L;

    /** Batches of 4 (3 fresh + 1 replayed), a partial batch after 1 s, idle after 10 s with 2 replay-only steps. */
    private static TrainerConfig config() {
        return TrainerConfig.defaults(Path.of("unused")).withTopic(TOPIC)
                .withBatching(new TrainerConfig.Batching(4, Duration.ofSeconds(1)))
                .withReplay(new TrainerConfig.Replay(0.25, 100, 2, Duration.ofSeconds(10)))
                .withHeldOut(new TrainerConfig.HeldOut(0, 10, "label"))
                .withCheckpoints(new TrainerConfig.Checkpointing(Path.of("unused"), 0, null, 1));
    }

    private static TrainingExample example(String id, long offset, long version, long... ids) {
        int k = ids.length == 0 ? 4 : ids.length;
        float[] label = new float[k];
        label[0] = 1;
        return new TrainingExample(id, "caption " + id, new byte[0], null, new float[] {1, 0}, "teacher", label,
                version, ids, new TrainingExample.Source(TOPIC, 0, offset));
    }

    private static TrainingExample example(long offset) {
        return example("e" + offset, offset, 1);
    }

    /** Records every call; its step count is what it was restored with plus the steps since. */
    static final class FakeStudent implements Student {
        final List<List<String>> fresh = new ArrayList<>();
        final List<Integer> replayed = new ArrayList<>();
        final List<List<String>> upcoming = new ArrayList<>();
        final List<RowRemap> plans = new ArrayList<>();
        final List<Integer> evaluated = new ArrayList<>();
        ModelConfig config;
        long step;

        FakeStudent(ModelConfig config, long step) {
            this.config = config;
            this.step = step;
        }

        @Override
        public StepReport train(List<TrainingExample> freshExamples, List<TrainingExample> replayedExamples,
                List<TrainingExample> upcomingExamples) {
            upcoming.add(upcomingExamples.stream().map(TrainingExample::id).toList());
            return train(freshExamples, replayedExamples);
        }

        @Override
        public StepReport train(List<TrainingExample> freshExamples, List<TrainingExample> replayedExamples) {
            fresh.add(freshExamples.stream().map(TrainingExample::id).toList());
            replayed.add(replayedExamples.size());
            step++;
            return new StepReport(step, freshExamples.stream().map(TrainingExample::id).toList(),
                    replayedExamples.size(), 1, 2, 3, 6, 0.5, 1e-3, 14, true);
        }

        @Override
        public Evaluator.Evaluation evaluate(List<TrainingExample> heldOut, List<String> buckets) {
            evaluated.add(heldOut.size());
            Map<String, BucketAccuracy> byBucket = new LinkedHashMap<>();
            if (buckets != null) {
                // accuracy = the share of this bucket's held-out ids that end in "1": known to the test
                for (String bucket : new LinkedHashSet<>(buckets)) {
                    List<TrainingExample> of = IntStream.range(0, heldOut.size()).filter(i -> buckets.get(i).equals(bucket))
                            .mapToObj(heldOut::get).toList();
                    double ones = of.stream().filter(e -> e.id().endsWith("1")).count();
                    byBucket.put(bucket, new BucketAccuracy(of.size(), 4, ones / of.size(), ones / of.size()));
                }
            }
            return new Evaluator.Evaluation(Map.of("held_out", (double) heldOut.size()), byBucket);
        }

        @Override
        public void followConcepts(RowRemap plan) {
            plans.add(plan);
            config = config.withData(config.teacherDim(), plan.newRows());
        }

        @Override
        public long step() {
            return step;
        }

        @Override
        public double lossScale() {
            return 1;
        }

        @Override
        public ModelConfig config() {
            return config;
        }

        @Override
        public Map<String, CheckpointStore.FileContent> checkpointFiles() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }

    /** Students as the fakes; the last one made is {@link #current}; checkpoints in {@link #unloadable} fail to load. */
    static final class FakeStudents implements Student.Factory {
        FakeStudent current;
        final Set<Long> unloadable = new HashSet<>();

        @Override
        public Student create(ModelConfig config) {
            current = new FakeStudent(config, 0);
            return current;
        }

        @Override
        public Student restore(StoredCheckpoint checkpoint) throws IOException {
            if (unloadable.contains(checkpoint.version())) {
                throw new IOException("weights do not fit model config " + checkpoint.manifest().model().name());
            }
            current = new FakeStudent(checkpoint.manifest().model(), checkpoint.manifest().step());
            return current;
        }
    }

    /** Manifests in memory, numbered from 1; versions in {@link #damaged} do not verify. */
    static final class FakeCheckpoints implements StreamTrainer.Checkpoints {
        final List<StoredCheckpoint> written = new ArrayList<>();
        final Set<Long> damaged = new HashSet<>();

        @Override
        public Stream<CheckpointStore.Verification> newestFirst() {
            List<StoredCheckpoint> newestFirst = new ArrayList<>(written);
            Collections.reverse(newestFirst);
            return newestFirst.stream().map(c -> new CheckpointStore.Verification(c.directory(), c.manifest(),
                    c.manifestSha256(), damaged.contains(c.version()) ? "weights.params has 7 bytes" : null));
        }

        @Override
        public StoredCheckpoint write(CheckpointManifest manifest, Map<String, CheckpointStore.FileContent> files) {
            long version = written.size() + 1;
            StoredCheckpoint stored = new StoredCheckpoint(Path.of("v" + version), manifest.withVersion(version), "sha");
            written.add(stored);
            return stored;
        }

        CheckpointManifest last() {
            return written.get(written.size() - 1).manifest();
        }
    }

    private final AtomicLong clock = new AtomicLong(1000 * SECOND);
    private final FakeStudents students = new FakeStudents();
    private final FakeCheckpoints checkpoints = new FakeCheckpoints();

    private StreamTrainer trainer(TrainerConfig config) throws Exception {
        StreamTrainer trainer = new StreamTrainer(config, students, checkpoints, clock::get, TrainingListener.NONE,
                new SimpleMeterRegistry());
        trainer.restore();
        return trainer;
    }

    private static void advance(StreamTrainer trainer) throws Exception {
        trainer.advance(() -> false);
    }

    /** A trainer offered examples 0 to {@code n - 1} and advanced once. */
    private StreamTrainer advancedOver(TrainerConfig config, int n) throws Exception {
        StreamTrainer trainer = trainer(config);
        for (int i = 0; i < n; i++) {
            trainer.offer(example(i));
        }
        advance(trainer);
        return trainer;
    }

    @Test
    void fullBatchesTrainAtOnceAndAPartialOneWhenItsOldestWaitedMaxWait() throws Exception {
        StreamTrainer trainer = trainer(config());
        trainer.offer(example(0));
        trainer.offer(example(1));
        advance(trainer);
        assertEquals(List.of(), students.current.fresh, "two of three fresh examples wait");
        clock.addAndGet(SECOND - 1);
        advance(trainer);
        assertEquals(List.of(), students.current.fresh, "not yet waited maxWait");
        clock.addAndGet(1);
        advance(trainer);
        assertEquals(List.of(List.of("e0", "e1")), students.current.fresh, "a partial batch after maxWait");
        for (int i = 2; i < 9; i++) {
            trainer.offer(example(i));
        }
        advance(trainer);
        assertEquals(List.of(List.of("e0", "e1"), List.of("e2", "e3", "e4"), List.of("e5", "e6", "e7")),
                students.current.fresh, "full batches of three fresh at once; e8 waits");
    }

    @Test
    void theRestOfEachBatchIsReplayedAndAnIdleStreamGetsItsReplayBudget() throws Exception {
        StreamTrainer trainer = trainer(config());
        for (int i = 0; i < 6; i++) {
            trainer.offer(example(i));
        }
        advance(trainer);
        assertEquals(List.of(0, 1), students.current.replayed, "nothing to replay at first, then one of four");
        clock.addAndGet(10 * SECOND - 1);
        advance(trainer);
        assertEquals(2, students.current.fresh.size(), "not idle yet");
        clock.addAndGet(1);
        for (int i = 0; i < 5; i++) {
            advance(trainer);
        }
        assertEquals(List.of(0, 1, 4, 4), students.current.replayed, "two replay-only steps of a full batch each");
        assertEquals(List.of(), students.current.fresh.get(3));
        assertTrue(trainer.progress().startsWith("idle, replay budget spent"), trainer.progress());
        trainer.offer(example(6));
        clock.addAndGet(SECOND);
        advance(trainer);
        clock.addAndGet(10 * SECOND);
        advance(trainer);
        advance(trainer);
        advance(trainer);
        assertEquals(List.of(0, 1, 4, 4, 3, 4, 4), students.current.replayed, "a new example renews the budget");
    }

    @Test
    void aStepLongerThanIdleAfterIsNoIdleStream() throws Exception {
        StreamTrainer trainer = trainer(config());
        for (int i = 0; i < 6; i++) {
            trainer.offer(example(i));
        }
        clock.addAndGet(11 * SECOND); // the records arrived, then the steps took longer than idleAfter
        advance(trainer);
        assertEquals(List.of(0, 1), students.current.replayed, "the stream brought records: no replay-only step");
        advance(trainer);
        assertEquals(List.of(0, 1, 4), students.current.replayed, "an advance with nothing new: idle");
    }

    @Test
    void heldOutIdsNeverTrainAndAreEvaluatedAtEachCheckpoint() throws Exception {
        TrainerConfig config = config().withHeldOut(new TrainerConfig.HeldOut(0.5, 100, "label"));
        StreamTrainer trainer = trainer(config);
        HeldOutSplit split = new HeldOutSplit(0.5);
        List<String> heldOut = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            trainer.offer(example(i));
            if (split.isHeldOut("e" + i)) {
                heldOut.add("e" + i);
            }
        }
        clock.addAndGet(SECOND);
        advance(trainer);
        trainer.finish();
        assertTrue(heldOut.size() > 5 && heldOut.size() < 25, "the split holds some out: " + heldOut);
        List<String> trained = students.current.fresh.stream().flatMap(List::stream).toList();
        assertEquals(30 - heldOut.size(), trained.size());
        assertTrue(Collections.disjoint(trained, heldOut), "no held-out id is trained");
        CheckpointManifest m = checkpoints.last();
        assertEquals(heldOut.size(), m.examplesHeldOut());
        assertEquals((double) heldOut.size(), m.metrics().get("held_out"));
        assertEquals(0.25, m.metrics().get("replay_share"), "replay beside the evaluation");
        assertEquals(100.0, m.metrics().get("replay_capacity"));
        assertEquals(StreamTrainer.REPLAY_POLICY, m.replayPolicy());
        assertEquals(null, m.accuracyMatrix(), "no buckets, no matrix");
        assertEquals(Map.of(TOPIC + "-0", 30L), m.offsets());
    }

    private static TrainingExample inBucket(String bucket, int i, long offset) {
        return example(bucket + i, offset, 1).withBucket(bucket);
    }

    /** Buckets by category, half held out, checkpoints only at bucket boundaries and at the end. */
    private static TrainerConfig bucketed() {
        return config().withHeldOut(new TrainerConfig.HeldOut(0.5, 100, "label",
                TrainerConfig.Bucketing.byField("category")));
    }

    @Test
    void bucketsKeepTheirHeldOutPairsAndACheckpointEndsEachBucketBeforeTheNextTrains() throws Exception {
        StreamTrainer trainer = trainer(bucketed());
        HeldOutSplit split = new HeldOutSplit(0.5);
        Map<String, Integer> heldOut = new LinkedHashMap<>();
        Map<String, Long> trainable = new LinkedHashMap<>();
        long offset = 0;
        for (String bucket : List.of("A", "B")) {
            for (int i = 0; i < 12; i++) {
                trainer.offer(inBucket(bucket, i, offset++));
                if (split.isHeldOut(bucket + i)) {
                    heldOut.merge(bucket, 1, Integer::sum);
                } else {
                    trainable.merge(bucket, 1L, Long::sum);
                }
            }
            if (bucket.equals("A")) {
                clock.addAndGet(SECOND);
                advance(trainer);
                assertEquals(0, checkpoints.written.size(), "the first bucket needs no checkpoint before it");
            }
        }
        assertTrue(heldOut.get("A") >= 1 && heldOut.get("B") >= 1, "both buckets hold some out: " + heldOut);
        clock.addAndGet(SECOND);
        advance(trainer);
        assertEquals(1, checkpoints.written.size(), "a checkpoint just before B's first step");
        trainer.finish();
        CheckpointManifest boundary = checkpoints.written.get(0).manifest();
        AccuracyMatrix.Row endOfA = boundary.accuracyMatrix().rows().get(0);
        assertEquals("A", endOfA.newest());
        assertEquals(Map.of("A", trainable.get("A")), endOfA.trained(), "all of A trained, none of B");
        assertTrue(endOfA.future("B"), "B's held-out pairs arrived before its training: a future bucket");
        assertEquals(heldOut.get("A"), endOfA.cells().get("A").examples());
        assertEquals(heldOut.get("B"), endOfA.cells().get("B").examples(), "evaluated before it is trained on");

        CheckpointManifest last = checkpoints.last();
        AccuracyMatrix matrix = last.accuracyMatrix();
        assertEquals("field category", matrix.bucketing());
        assertEquals(List.of("A", "B"), matrix.buckets());
        assertEquals(2, matrix.rows().size());
        assertEquals("B", matrix.rows().get(1).newest());
        assertEquals(trainable, matrix.rows().get(1).trained());
        assertEquals(List.of(heldOut.get("A") + heldOut.get("B")), students.current.evaluated.subList(1, 2),
                "every bucket's held-out pairs are evaluated at every checkpoint");
        assertEquals(ContinualMetrics.of(matrix), last.continual());
        assertEquals(1, last.continual().ahead(), "B has a before-entry");
        assertEquals(2, last.continual().learnt());

        // a restart continues the matrix from the checkpoint
        StreamTrainer resumed = trainer(bucketed());
        for (int i = 0; i < 6; i++) {
            resumed.offer(inBucket("C", i, offset++));
        }
        clock.addAndGet(SECOND);
        advance(resumed);
        resumed.finish();
        AccuracyMatrix continued = checkpoints.last().accuracyMatrix();
        assertEquals(List.of("A", "B", "C"), continued.buckets());
        assertEquals("C", continued.rows().get(continued.rows().size() - 1).newest());
        assertEquals(trainable.get("A"), continued.rows().get(continued.rows().size() - 1).trained().get("A"));
    }

    @Test
    void arrivalBucketsCountStreamExamplesAndWithoutBucketsThereIsNoBoundaryCheckpoint() throws Exception {
        StreamTrainer trainer = trainer(config().withHeldOut(new TrainerConfig.HeldOut(0, 10, "label",
                TrainerConfig.Bucketing.byArrival(6))));
        for (int i = 0; i < 12; i++) {
            trainer.offer(example(i));
        }
        advance(trainer);
        trainer.finish();
        assertEquals(2, checkpoints.written.size(), "t1's first step is preceded by a checkpoint");
        assertEquals(Map.of("t0", 6L), checkpoints.written.get(0).manifest().accuracyMatrix().rows().get(0).trained());
        assertEquals(List.of("t0", "t1"), checkpoints.last().accuracyMatrix().buckets());
        assertEquals("every 6 examples", checkpoints.last().accuracyMatrix().bucketing());

        checkpoints.written.clear();
        StreamTrainer plain = trainer(config());
        for (int i = 0; i < 12; i++) {
            plain.offer(example(i).withBucket("X" + i));
        }
        advance(plain);
        plain.finish();
        assertEquals(1, checkpoints.written.size(), "no buckets configured: only the final checkpoint");
    }

    @Test
    void checkpointsEveryNStepsOrEveryTSeconds() throws Exception {
        TrainerConfig bySteps = config().withCheckpoints(new TrainerConfig.Checkpointing(Path.of("x"), 2, null, 1));
        StreamTrainer trainer = advancedOver(bySteps, 15);
        assertEquals(5, students.current.step);
        assertEquals(List.of(2L, 4L), checkpoints.written.stream().map(c -> c.manifest().step()).toList());
        assertEquals(Map.of(TOPIC + "-0", 12L), checkpoints.last().offsets(), "offsets of the examples in step 4");
        assertEquals(List.of(6.0, 3.0), List.of(checkpoints.last().losses().get("total"),
                checkpoints.last().losses().get("contrastive")), "mean losses since the previous checkpoint");

        FakeCheckpoints byTime = new FakeCheckpoints();
        TrainerConfig timed = config().withCheckpoints(
                new TrainerConfig.Checkpointing(Path.of("x"), 0, Duration.ofSeconds(60), 1));
        StreamTrainer timedTrainer = new StreamTrainer(timed, new FakeStudents(), byTime, clock::get,
                TrainingListener.NONE, new SimpleMeterRegistry());
        timedTrainer.restore();
        for (int i = 0; i < 3; i++) {
            timedTrainer.offer(example(i));
        }
        advance(timedTrainer);
        clock.addAndGet(59 * SECOND);
        advance(timedTrainer);
        assertEquals(0, byTime.written.size(), "one step, 59 s: not due");
        clock.addAndGet(SECOND);
        advance(timedTrainer);
        assertEquals(1, byTime.written.size(), "60 s after the start with a step since");
        clock.addAndGet(120 * SECOND);
        timedTrainer.offer(example(3));
        advance(timedTrainer);
        assertEquals(1, byTime.written.size(), "no step since the last checkpoint: nothing to write");
    }

    @Test
    void byTimeACheckpointIsDueWhileStreamExamplesTrainAndNotForIdleReplay() throws Exception {
        StreamTrainer trainer = trainer(config().withCheckpoints(
                new TrainerConfig.Checkpointing(Path.of("x"), 0, Duration.ofSeconds(20), 1)));
        for (int i = 0; i < 6; i++) {
            trainer.offer(example(i));
        }
        advance(trainer);
        assertEquals(2, students.current.step);
        clock.addAndGet(20 * SECOND);
        advance(trainer);
        assertEquals(1, checkpoints.written.size(), "20 s with stream examples trained since the start");
        assertEquals(Map.of(TOPIC + "-0", 6L), checkpoints.last().offsets());

        clock.addAndGet(30 * SECOND); // idle: replay-only steps, nothing new from the stream
        advance(trainer);
        advance(trainer);
        assertEquals(4, students.current.step, "the idle replay budget of 2 steps");
        assertEquals(List.of(List.of(), List.of()), students.current.fresh.subList(2, 4));
        assertEquals(1, checkpoints.written.size(), "30 s and 2 steps since, but only replays: not due by time");

        for (int i = 6; i < 9; i++) {
            trainer.offer(example(i));
        }
        advance(trainer);
        assertEquals(2, checkpoints.written.size(), "stream examples trained, 30 s since the last checkpoint");
        assertEquals(Map.of(TOPIC + "-0", 9L), checkpoints.last().offsets());
    }

    @Test
    void eachStepIsToldTheExamplesTheNextBatchBeginsWith() throws Exception {
        StreamTrainer trainer = advancedOver(config(), 7);
        assertEquals(List.of(List.of("e0", "e1", "e2"), List.of("e3", "e4", "e5")), students.current.fresh);
        assertEquals(List.of(List.of("e3", "e4", "e5"), List.of("e6")), students.current.upcoming,
                "the oldest waiting examples after each take, at most a batch's fresh share");
        clock.addAndGet(SECOND);
        advance(trainer);
        assertEquals(List.of("e6"), students.current.fresh.get(2), "the partial batch begins with what was announced");
    }

    @Test
    void aRestartResumesAtTheCheckpointsOffsetsAndTrainsNothingTwice() throws Exception {
        TrainerConfig config = config().withCheckpoints(new TrainerConfig.Checkpointing(Path.of("x"), 2, null, 1));
        StreamTrainer first = trainer(config);
        List<TrainingExample> stream = IntStream.range(0, 20).mapToObj(StreamTrainerTest::example).toList();
        for (TrainingExample e : stream.subList(0, 10)) {
            if (e.source().offset() == 1) {
                first.rejected(e.source()); // dead-lettered by the shell
            } else {
                first.offer(e);
            }
        }
        advance(first);
        // crash: steps after the checkpoint are lost with the process
        CheckpointManifest saved = checkpoints.last();
        assertEquals(2, saved.step());
        List<String> beforeCrash = students.current.fresh.subList(0, 2).stream().flatMap(List::stream).toList();

        StreamTrainer second = new StreamTrainer(config, students, checkpoints, clock::get, TrainingListener.NONE,
                new SimpleMeterRegistry());
        Map<String, Long> resumeAt = second.restore();
        assertEquals(Map.of(TOPIC + "-0", 7L), resumeAt, "the oldest example not in step 2 (e0, e2-e6 are)");
        assertEquals(2, students.current.step, "the optimizer's step comes back");
        for (TrainingExample e : stream.subList(resumeAt.get(TOPIC + "-0").intValue(), 20)) {
            second.offer(e);
        }
        clock.addAndGet(SECOND);
        advance(second);
        second.finish();
        List<String> all = new ArrayList<>(beforeCrash);
        students.current.fresh.forEach(all::addAll);
        List<String> expected = new ArrayList<>(stream.stream().map(TrainingExample::id).toList());
        expected.remove("e1");
        Collections.sort(all);
        Collections.sort(expected);
        assertEquals(expected, all, "every example once, across the crash");
        CheckpointManifest end = checkpoints.last();
        assertEquals(Map.of(TOPIC + "-0", 20L), end.offsets());
        assertEquals(20, end.examplesConsumed());
        assertEquals(1, end.deadLettered(), "the dead letter before the checkpoint is counted once");
    }

    @Test
    void aNewestCheckpointThatDoesNotVerifyOrDoesNotLoadFallsBackToThePreviousOne() throws Exception {
        TrainerConfig config = config().withCheckpoints(new TrainerConfig.Checkpointing(Path.of("x"), 1, null, 1));
        advancedOver(config, 9);
        assertEquals(3, checkpoints.written.size(), "one checkpoint per step of three fresh examples");
        checkpoints.damaged.add(3L);
        students.unloadable.add(2L);

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StreamTrainer second = new StreamTrainer(config, students, checkpoints, clock::get, TrainingListener.NONE, registry);
        assertEquals(Map.of(TOPIC + "-0", 3L), second.restore(), "the offsets of version 1, the newest that loads");
        assertEquals(1, students.current.step);
        assertEquals(1.0, registry.counter("kclip.trainer.checkpoints.rejected", "reason", "damaged").count());
        assertEquals(1.0, registry.counter("kclip.trainer.checkpoints.rejected", "reason", "unloadable").count());
        assertEquals(1.0, registry.get("kclip.trainer.checkpoint.version").gauge().value());

        students.unloadable.add(1L);
        StreamTrainer third = new StreamTrainer(config, students, checkpoints, clock::get, TrainingListener.NONE,
                new SimpleMeterRegistry());
        assertEquals(Map.of(), third.restore(), "none loads: a fresh start, as with no checkpoint, not a crash");
    }

    @Test
    void aChangedConceptIdResetsExactlyItsRowAndTheIdsSurviveARestart() throws Exception {
        StreamTrainer trainer = trainer(config());
        for (int i = 0; i < 3; i++) {
            trainer.offer(example("a" + i, i, 1, 10, 11, 12, 13));
        }
        advance(trainer);
        assertEquals(List.of(), students.current.plans);
        for (int i = 3; i < 6; i++) {
            trainer.offer(example("b" + i, i, 2, 10, 11, 99, 13));
        }
        advance(trainer);
        assertEquals(List.of(new RowRemap(new int[] {0, 1, -1, 3})), students.current.plans,
                "the concept at index 2 is another one now: row 2, and only row 2, starts fresh");
        trainer.finish();
        assertEquals(List.of(10L, 11L, 99L, 13L), checkpoints.last().conceptIds());
        assertEquals(2, checkpoints.last().centroidVersion());

        StreamTrainer restarted = trainer(config());
        for (int i = 6; i < 9; i++) {
            restarted.offer(example("c" + i, i, 3, 10, 11, 99, 13, 14));
        }
        advance(restarted);
        assertEquals(List.of(new RowRemap(new int[] {0, 1, 2, 3, -1})), students.current.plans,
                "after a restart the saved ids are compared: only the new concept starts fresh");
    }

    @Test
    void labelsWithoutIdsFollowKAsBefore() throws Exception {
        StreamTrainer trainer = trainer(config());
        for (int i = 0; i < 3; i++) {
            trainer.offer(example("a" + i, i, 1));
        }
        advance(trainer);
        for (int i = 3; i < 6; i++) {
            trainer.offer(example("b" + i, i, 2, new long[0]));
        }
        advance(trainer);
        assertEquals(List.of(), students.current.plans, "a newer version, same K, no ids: rows stay");
        float[] six = {1, 0, 0, 0, 0, 0};
        for (int i = 6; i < 9; i++) {
            trainer.offer(new TrainingExample("c" + i, "c", new byte[0], null, new float[] {1, 0}, "teacher", six, 3,
                    new long[0], new TrainingExample.Source(TOPIC, 0, i)));
        }
        advance(trainer);
        assertEquals(List.of(new RowRemap(new int[] {0, 1, 2, 3, -1, -1})), students.current.plans);
        trainer.finish();
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), checkpoints.last().conceptIds());
    }

    @Test
    void anotherTeachersExampleIsRejectedWithoutBeingCounted() throws Exception {
        StreamTrainer trainer = trainer(config());
        trainer.offer(example(0));
        TrainingExample other = new TrainingExample("x", "c", new byte[0], null, new float[] {1, 0}, "another",
                new float[] {1, 0, 0, 0}, 1, new long[0], new TrainingExample.Source(TOPIC, 0, 1));
        InvalidExampleException e = assertThrows(InvalidExampleException.class, () -> trainer.offer(other));
        assertEquals(RejectReason.TEACHER_MISMATCH, e.reason());
        trainer.rejected(other.source());
        clock.addAndGet(SECOND);
        advance(trainer);
        trainer.finish();
        CheckpointManifest m = checkpoints.last();
        assertEquals(2, m.examplesConsumed());
        assertEquals(1, m.deadLettered());
        assertEquals(Map.of(TOPIC + "-0", 2L), m.offsets());
        assertEquals(List.of(List.of("e0")), students.current.fresh);
    }
}
