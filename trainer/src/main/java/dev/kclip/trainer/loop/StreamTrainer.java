package dev.kclip.trainer.loop;

import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.RejectReason;
import dev.kclip.trainer.data.ReplayReservoir;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.BucketAccuracy;
import dev.kclip.trainer.eval.ContinualFigures;
import dev.kclip.trainer.eval.ContinualMetrics;
import dev.kclip.trainer.eval.Evaluator;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Iterator;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the continuous trainer decides, without Kafka: which examples train, which are held out, how much of each
 * batch is replayed, when a partial batch or an idle stream is worth a step, when to checkpoint, and where a
 * restart resumes. It is fed decoded examples with their stream position ({@link #offer}) and told of records
 * rejected before that ({@link #rejected}); {@link #advance} then trains what is due. {@link TrainerService} is
 * the Kafka shell around it.
 *
 * <ul>
 *   <li>Start ({@link #restore}): the newest checkpoint that verifies and loads is loaded and its offsets
 *       returned (a newer one that does not is skipped with a WARN and counted); with none, the student is built
 *       from the first example (teacher dimension, K).</li>
 *   <li>A share of ids is held out for evaluation and never trained.</li>
 *   <li>A batch is trained when {@code freshPerBatch} examples wait or the oldest has waited {@code maxWait}; the
 *       rest of the batch is replayed from a reservoir of past examples. While the stream is idle, replay-only
 *       steps run up to a budget.</li>
 *   <li>Every N steps, every T seconds while stream examples are trained (not for replay-only steps of an idle
 *       stream), and at {@link #finish}: a checkpoint with the evaluation on the held-out examples and, per
 *       partition, the oldest offset not yet trained.</li>
 *   <li>With buckets ({@link TrainerConfig.Bucketing}): held-out examples are kept per bucket ({@link BucketLedger}),
 *       each checkpoint adds a row of zero-shot accuracy per bucket to the accuracy matrix, and a checkpoint is also
 *       written just before the first step that trains a bucket not trained before: that checkpoint is the end of
 *       the previous bucket (the matrix's diagonal) and the "before" of the new one (forward transfer).</li>
 *   <li>The classifier follows the concepts: a newer centroid version resizes it, and resets the rows whose
 *       concept id changed ({@link ConceptTracker}).</li>
 * </ul>
 * Not thread-safe: one thread owns it and the student.
 */
public final class StreamTrainer implements AutoCloseable {

    /** Where checkpoints are read from at the start and written to. */
    public interface Checkpoints {

        /**
         * The checkpoints to resume from, newest first, each verified when the stream reaches it
         * ({@link CheckpointStore#newestFirst}).
         */
        Stream<CheckpointStore.Verification> newestFirst();

        /** Writes (and, in the service, announces and commits) a checkpoint. */
        StoredCheckpoint write(CheckpointManifest manifest, Map<String, CheckpointStore.FileContent> files)
                throws IOException;
    }

    /** What {@link ReplayReservoir} is, as {@code checkpoint.json} names it. */
    public static final String REPLAY_POLICY = "reservoir";

    private static final Logger LOG = LoggerFactory.getLogger(StreamTrainer.class);

    private final TrainerConfig config;
    private final Student.Factory students;
    private final Checkpoints checkpoints;
    private final LongSupplier nanoTime;
    private final TrainingListener listener;
    private final TrainerMeters meters;
    private final HeldOutSplit split;
    private final ReplayReservoir<TrainingExample> reservoir;
    private final BucketLedger buckets;
    private final Map<String, double[]> lossSums = new LinkedHashMap<>();

    private Student student;
    private ConceptTracker concepts;
    private String teacherModelId;
    private PendingExamples pending = new PendingExamples(Map.of());
    private long examplesConsumed;
    private long examplesTrained;
    private long examplesReplayed;
    private long examplesHeldOut;
    private long deadLettered;
    private long stepsSinceCheckpoint;
    private long lastCheckpointNanos;
    private Map<String, Long> checkpointedOffsets = Map.of();
    private long lastArrivalNanos;
    private boolean arrivedSinceAdvance;
    private int idleSteps;
    private volatile String progress = "starting";

    /**
     * @param nanoTime the clock of batching, idleness and checkpoint cadence ({@code System::nanoTime})
     */
    public StreamTrainer(TrainerConfig config, Student.Factory students, Checkpoints checkpoints, LongSupplier nanoTime,
            TrainingListener listener, MeterRegistry registry) {
        this.config = config;
        this.students = students;
        this.checkpoints = checkpoints;
        this.nanoTime = nanoTime;
        this.listener = listener;
        this.meters = new TrainerMeters(registry);
        this.split = new HeldOutSplit(config.heldOut().share());
        this.reservoir = new ReplayReservoir<>(config.replay().capacity(), new Random(config.training().seed()));
        this.buckets = new BucketLedger(config.heldOut().buckets(), config.heldOut().capacity());
        this.lastCheckpointNanos = nanoTime.getAsLong();
        this.lastArrivalNanos = lastCheckpointNanos;
    }

    /**
     * Loads the newest checkpoint that verifies and loads, if any, and returns the offsets of {@code config.topic()}
     * it records: the stream resumes there (a partition it does not name, from its beginning). A newer checkpoint
     * that fails verification or fails to load (weights that do not fit its model, a file its manifest lacks) is
     * logged at WARN, counted in {@code kclip_trainer_checkpoints_rejected_total} and the previous one tried, so
     * a bad newest checkpoint never stops the trainer from starting. With none loadable it starts afresh, as with
     * none at all. Call once, before {@link #offer}.
     */
    public Map<String, Long> restore() throws IOException {
        int rejected = 0;
        Iterator<CheckpointStore.Verification> candidates = checkpoints.newestFirst().iterator();
        while (candidates.hasNext()) {
            CheckpointStore.Verification candidate = candidates.next();
            if (!candidate.ok()) {
                LOG.warn("trainer {}: checkpoint {} does not verify and will not be loaded ({}); trying the previous one",
                        config.runId(), candidate.directory(), candidate.problem());
                meters.checkpointRejected(TrainerMeters.DAMAGED);
                rejected++;
                continue;
            }
            try {
                return resume(candidate.checkpoint());
            } catch (IOException | RuntimeException e) {
                LOG.warn("trainer {}: checkpoint {} verifies but does not load ({}); trying the previous one",
                        config.runId(), candidate.directory(), e.toString());
                meters.checkpointRejected(TrainerMeters.UNLOADABLE);
                rejected++;
            }
        }
        if (rejected > 0) {
            LOG.error("trainer {}: none of the {} checkpoints loads; starting from the beginning of {}",
                    config.runId(), rejected, config.topic());
        } else {
            LOG.info("trainer {}: no checkpoint, starting from the beginning of {}", config.runId(), config.topic());
        }
        return Map.of();
    }

    /** Loads one verified checkpoint; nothing of this trainer changes when it throws. */
    private Map<String, Long> resume(StoredCheckpoint checkpoint) throws IOException {
        CheckpointManifest m = checkpoint.manifest();
        Student restored = students.restore(checkpoint);
        ConceptTracker tracker;
        try {
            long[] ids = m.conceptIds() == null ? null : m.conceptIds().stream().mapToLong(Long::longValue).toArray();
            tracker = new ConceptTracker(m.model().conceptCount(), m.centroidVersion(), ids);
            buckets.restore(m.accuracyMatrix());
        } catch (RuntimeException e) {
            restored.close();
            throw e;
        }
        student = restored;
        concepts = tracker;
        teacherModelId = m.teacherModelId();
        examplesConsumed = m.examplesConsumed();
        examplesTrained = m.examplesTrained();
        examplesHeldOut = m.examplesHeldOut();
        examplesReplayed = Math.round(m.metrics().getOrDefault(ContinualFigures.EXAMPLES_REPLAYED, 0.0));
        deadLettered = m.deadLettered();
        meters.checkpointed(m.version());
        LOG.info("trainer {}: resumed from checkpoint {} (step {}, {} examples consumed) at offsets {}",
                config.runId(), checkpoint.directory(), m.step(), m.examplesConsumed(), m.offsets());
        Map<String, Long> offsets = new HashMap<>();
        m.offsets().forEach((key, offset) -> {
            if (CheckpointManifest.topicOf(key).equals(config.topic())) {
                offsets.put(key, offset);
            }
        });
        pending = new PendingExamples(offsets);
        checkpointedOffsets = pending.safeOffsets();
        return offsets;
    }

    /**
     * One stream example, decoded and validated: held out, or waiting for its batch.
     *
     * @throws InvalidExampleException ({@code TEACHER_MISMATCH}) when another teacher, or another vector size,
     *     made it than the run distils from; nothing is recorded then: dead-letter it and call {@link #rejected}
     */
    public void offer(TrainingExample example) throws InvalidExampleException {
        checkTeacher(example);
        example = example.withBucket(config.heldOut().buckets().bucketOf(example, examplesConsumed));
        arrived();
        buckets.arrived(example.bucket());
        TrainingExample.Source source = example.source();
        if (split.isHeldOut(example.id())) {
            examplesHeldOut++;
            meters.heldOut();
            buckets.heldOut(example);
            pending.resolved(source.topic(), source.partition(), source.offset());
            return;
        }
        if (student == null) {
            startStudent(example);
        }
        pending.add(example, nanoTime.getAsLong());
    }

    /** A stream record that was dead-lettered: consumed, never to be trained. */
    public void rejected(TrainingExample.Source source) {
        arrived();
        deadLettered++;
        meters.deadLettered();
        pending.resolved(source.topic(), source.partition(), source.offset());
    }

    /**
     * Trains what is due: full batches, a partial one whose oldest example waited {@code maxWait}, or, while the
     * stream is idle, a replay-only step within the idle budget; checkpoints when due.
     *
     * @param stopRequested checked after each step; true returns at once
     */
    public void advance(BooleanSupplier stopRequested) throws IOException, InvalidExampleException {
        long maxWait = config.batching().maxWait().toNanos();
        while (pending.size() >= config.freshPerBatch()
                || (pending.size() > 0 && pending.oldestWaitNanos(nanoTime.getAsLong()) >= maxWait)) {
            if (stepsSinceCheckpoint > 0 && buckets.startsNewBucket(pending.peek(config.freshPerBatch()))) {
                checkpoint();
            }
            trainBatch(pending.take(config.freshPerBatch()));
            if (checkpointDue()) {
                checkpoint();
            }
            if (stopRequested.getAsBoolean()) {
                return;
            }
        }
        if (idle() && student != null && reservoir.size() >= 2) {
            if (idleSteps < config.replay().idleBudgetSteps()) {
                trainBatch(List.of());
                idleSteps++;
            } else {
                progress = "idle, replay budget spent; step " + student.step() + ", " + examplesConsumed
                        + " examples consumed";
            }
        }
        if (checkpointDue()) {
            checkpoint();
        }
        arrivedSinceAdvance = false;
    }

    /** At shutdown: a last checkpoint when anything moved since the previous one. */
    public void finish() throws IOException, InvalidExampleException {
        if (student != null && (stepsSinceCheckpoint > 0 || !pending.safeOffsets().equals(checkpointedOffsets))) {
            checkpoint();
        }
    }

    /** What the trainer is doing, for health checks (readable from any thread). */
    public String progress() {
        return progress;
    }

    @Override
    public void close() {
        if (student != null) {
            student.close();
        }
    }

    private void arrived() {
        examplesConsumed++;
        meters.consumed();
        lastArrivalNanos = nanoTime.getAsLong();
        arrivedSinceAdvance = true;
        idleSteps = 0;
    }

    /**
     * Nothing arrived since the previous {@link #advance} (a long step is no pause of the stream), nothing waits,
     * and nothing has arrived for {@code idleAfter}.
     */
    private boolean idle() {
        return !arrivedSinceAdvance && pending.size() == 0
                && nanoTime.getAsLong() - lastArrivalNanos >= config.replay().idleAfter().toNanos();
    }

    private void checkTeacher(TrainingExample example) throws InvalidExampleException {
        if (teacherModelId != null && !teacherModelId.equals(example.teacherModelId())) {
            throw new InvalidExampleException(RejectReason.TEACHER_MISMATCH, "embedded by "
                    + example.teacherModelId() + " but this run distils from " + teacherModelId, example.id());
        }
        int teacherDim = student != null ? student.config().teacherDim() : config.model().teacherDim();
        if (teacherDim > 0 && example.teacher().length != teacherDim) {
            throw new InvalidExampleException(RejectReason.TEACHER_MISMATCH, "teacher vector has "
                    + example.teacher().length + " values, the model's W_e expects " + teacherDim, example.id());
        }
    }

    private void startStudent(TrainingExample first) {
        teacherModelId = first.teacherModelId();
        int teacherDim = config.model().teacherDim() > 0 ? config.model().teacherDim() : first.teacher().length;
        int k = config.model().conceptCount() > 0 ? config.model().conceptCount() : first.conceptCount();
        student = students.create(config.model().withData(teacherDim, k));
        concepts = new ConceptTracker(k, first.centroidVersion(), k == first.conceptCount() ? first.conceptIds() : null);
        LOG.info("trainer {}: new {} student on {} ({}), teacher {} ({}-d), K={}", config.runId(),
                config.model().name(), config.device(), config.effectivePrecision(), teacherModelId, teacherDim, k);
    }

    private void trainBatch(List<TrainingExample> fresh) throws InvalidExampleException {
        followConcepts(fresh);
        int replayCount = fresh.isEmpty() ? config.batching().batchSize() : config.batching().batchSize() - fresh.size();
        List<TrainingExample> replayed = reservoir.sample(replayCount);
        long start = nanoTime.getAsLong();
        // the next batch begins with the oldest waiting examples (the queue is FIFO): prepared while this step runs
        StepReport report = student.train(fresh, replayed, pending.peek(config.freshPerBatch()));
        meters.stepped(report, nanoTime.getAsLong() - start);
        fresh.forEach(reservoir::offer);
        buckets.trained(fresh);
        examplesTrained += report.size();
        examplesReplayed += replayed.size();
        stepsSinceCheckpoint++;
        report.losses().forEach((term, value) -> {
            double[] sum = lossSums.computeIfAbsent(term, t -> new double[2]);
            sum[0] += value;
            sum[1]++;
        });
        if (!report.applied()) {
            LOG.warn("trainer {}: step skipped, gradients not finite (norm {})", config.runId(), report.gradientNorm());
        }
        progress = "step " + report.step() + ", " + examplesConsumed + " examples consumed";
        listener.onStep(report);
    }

    /** Moves the classifier to the newest centroid version among {@code fresh}, if newer than its own. */
    private void followConcepts(List<TrainingExample> fresh) {
        TrainingExample newest = null;
        for (TrainingExample e : fresh) {
            if (newest == null || e.centroidVersion() > newest.centroidVersion()) {
                newest = e;
            }
        }
        if (newest == null || newest.centroidVersion() <= concepts.version()) {
            return;
        }
        long from = concepts.version();
        long[] oldIds = concepts.ids();
        concepts.advance(newest.conceptCount(), newest.centroidVersion(), newest.conceptIds()).ifPresent(plan -> {
            student.followConcepts(plan);
            LOG.info("trainer {}: concepts moved from version {} (ids {}) to {} (ids {}): classifier now {}",
                    config.runId(), from, Arrays.toString(oldIds), concepts.version(),
                    Arrays.toString(concepts.ids()), plan);
        });
    }

    /**
     * Every N steps, or every T seconds while the stream moves: by time only when the checkpoint would record stream
     * examples the previous one did not (replay-only steps of an idle stream wait for the step cadence or
     * {@link #finish}), so a pushed pair is in a checkpoint within about T of its step.
     */
    private boolean checkpointDue() {
        if (student == null || stepsSinceCheckpoint == 0) {
            return false;
        }
        long everySteps = config.checkpoints().everySteps();
        return (everySteps > 0 && stepsSinceCheckpoint >= everySteps)
                || (config.checkpoints().every() != null
                        && nanoTime.getAsLong() - lastCheckpointNanos >= config.checkpoints().every().toNanos()
                        && !pending.safeOffsets().equals(checkpointedOffsets));
    }

    private void checkpoint() throws IOException, InvalidExampleException {
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, BucketAccuracy> byBucket = Map.of();
        List<TrainingExample> heldOut = buckets.heldOutExamples();
        if (heldOut.size() >= 2) {
            Evaluator.Evaluation evaluation = student.evaluate(heldOut, buckets.heldOutBuckets());
            metrics.putAll(evaluation.metrics());
            byBucket = evaluation.buckets();
        }
        metrics.put(ContinualFigures.REPLAY_SHARE, config.replay().share());
        metrics.put(ContinualFigures.REPLAY_CAPACITY, (double) config.replay().capacity());
        metrics.put(ContinualFigures.REPLAY_RESERVOIR_SIZE, (double) reservoir.size());
        metrics.put(ContinualFigures.EXAMPLES_REPLAYED, (double) examplesReplayed);
        AccuracyMatrix matrix = buckets.record(student.step(), byBucket);
        Map<String, Double> losses = new LinkedHashMap<>();
        lossSums.forEach((term, sum) -> losses.put(term, sum[0] / sum[1]));
        Map<String, Long> offsets = pending.safeOffsets();
        CheckpointManifest manifest = CheckpointManifest.builder().runId(config.runId()).step(student.step())
                .counts(examplesConsumed - pending.size(), examplesTrained, examplesHeldOut, deadLettered)
                .offsets(offsets).model(student.config()).training(config.training().toJson()).losses(losses)
                .metrics(metrics).teacherModelId(teacherModelId)
                .concepts(concepts.version(), Arrays.stream(concepts.ids()).boxed().toList())
                .optimizer(student.step(), student.lossScale()).createdTime(Instant.now().toString())
                .continual(matrix, matrix == null ? null : ContinualMetrics.of(matrix)).replayPolicy(REPLAY_POLICY)
                .build();
        StoredCheckpoint stored = checkpoints.write(manifest, student.checkpointFiles());
        meters.checkpointed(stored.version());
        stepsSinceCheckpoint = 0;
        checkpointedOffsets = offsets;
        lossSums.clear();
        lastCheckpointNanos = nanoTime.getAsLong();
        LOG.info("trainer {}: checkpoint {} at step {} ({} examples consumed), losses {}, metrics {}", config.runId(),
                stored.directory(), manifest.step(), manifest.examplesConsumed(), losses, metrics);
        if (manifest.continual() != null) {
            LOG.info("trainer {}: continual evaluation over {} buckets ({}): {}", config.runId(), matrix.buckets().size(),
                    matrix.bucketing(), ContinualFigures.line(manifest.continual()));
        }
        listener.onCheckpoint(stored);
    }
}
