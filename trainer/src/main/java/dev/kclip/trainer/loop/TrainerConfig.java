package dev.kclip.trainer.loop;

import ai.djl.Device;
import dev.kclip.schemas.Topics;
import dev.kclip.trainer.data.DecodedImages;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.Precision;
import dev.kclip.trainer.model.clip.ClipImport;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code kclip train} (and {@code kclip up}) configures for the continuous trainer.
 *
 * @param runId the training run: consumer group of {@code topic} and key of its checkpoint events
 * @param topic where labelled examples come from ({@code kclip.train.examples})
 * @param model the student's shapes; teacher dimension and K may be 0 (taken from the first example)
 * @param training losses, optimiser, augmentation, seed
 * @param batching how examples become batches
 * @param replay the replay reservoir
 * @param heldOut the evaluation split
 * @param checkpoints where and how often checkpoints are written
 * @param device where to train: the CPU or a GPU ({@code gpu:N})
 * @param precision {@code FP32}, or {@code MIXED} (float16 compute, GPU only); null picks MIXED on a GPU
 */
public record TrainerConfig(String runId, String topic, ModelConfig model, TrainingSettings training,
        Batching batching, Replay replay, HeldOut heldOut, Checkpointing checkpoints, Device device, Precision precision) {

    /** The {@code --init} value for a student with random initial weights (the default). */
    public static final String NO_INIT = "none";

    /**
     * @param batchSize examples per step, replays included
     * @param maxWait longest an example waits for its batch to fill; a partial batch is trained then
     * @param prefetchWorkers threads decoding and augmenting the next batch's images while a step trains (0: on
     *     the training thread)
     * @param decodedCacheBytes memory for decoded images kept for their next batch or replay, least recently used
     *     evicted first (0: every batch decodes its images again)
     */
    public record Batching(int batchSize, Duration maxWait, int prefetchWorkers, long decodedCacheBytes) {

        /** The default number of prefetch workers. */
        public static final int DEFAULT_PREFETCH_WORKERS = 1;
        /** The default decoded-image budget, in MB. */
        public static final long DEFAULT_DECODED_CACHE_MB = 256;

        public Batching {
            if (batchSize < 2) {
                throw new IllegalArgumentException("batch size must be at least 2 (the contrastive loss needs negatives)");
            }
            requirePositive("maxWait", maxWait);
            if (prefetchWorkers < 0 || decodedCacheBytes < 0) {
                throw new IllegalArgumentException("prefetch workers and the decoded-image budget must be ≥ 0");
            }
        }

        /** With the default prefetch workers and decoded-image budget. */
        public Batching(int batchSize, Duration maxWait) {
            this(batchSize, maxWait, DEFAULT_PREFETCH_WORKERS, DEFAULT_DECODED_CACHE_MB * DecodedImages.MB);
        }

        /** The same with {@code workers} prefetch workers and a budget of {@code bytes} for decoded images. */
        public Batching withPreparation(int workers, long bytes) {
            return new Batching(batchSize, maxWait, workers, bytes);
        }
    }

    /**
     * @param share fraction of each batch drawn from the reservoir of past examples, in [0, 1)
     * @param capacity examples the reservoir keeps (a uniform sample of all seen)
     * @param idleBudgetSteps replay-only steps allowed per idle period of the stream (0: none)
     * @param idleAfter how long without new examples counts as idle
     */
    public record Replay(double share, int capacity, int idleBudgetSteps, Duration idleAfter) {
        public Replay {
            if (share < 0 || share >= 1 || capacity < 0 || idleBudgetSteps < 0) {
                throw new IllegalArgumentException("replay share must be in [0, 1), capacity and idle budget non-negative");
            }
            requirePositive("idleAfter", idleAfter);
        }
    }

    /**
     * @param share fraction of stream examples (by id hash) never trained on, kept for evaluation
     * @param capacity newest held-out examples kept for the evaluation at each checkpoint, per bucket
     * @param labelField where zero-shot labels come from: {@code label} or a pair attribute
     * @param buckets how stream examples are grouped for the continual evaluation ({@link Bucketing#NONE}: one group)
     */
    public record HeldOut(double share, int capacity, String labelField, Bucketing buckets) {
        public HeldOut {
            if (share < 0 || share >= 1 || capacity < 0) {
                throw new IllegalArgumentException("held-out share must be in [0, 1) and capacity non-negative");
            }
            buckets = buckets == null ? Bucketing.NONE : buckets;
        }

        /** Without buckets. */
        public HeldOut(double share, int capacity, String labelField) {
            this(share, capacity, labelField, Bucketing.NONE);
        }

        public HeldOut withBuckets(Bucketing value) {
            return new HeldOut(share, capacity, labelField, value);
        }
    }

    /**
     * The time buckets of the continual evaluation (TiC-CLIP's time steps): by a field of the pair, or by arrival
     * order; at most one of the two.
     *
     * @param field {@code label} or a pair attribute whose value names the bucket (null: not by field)
     * @param everyExamples a new bucket every this many stream examples, {@code t0}, {@code t1}, ... (0: not by
     *     arrival)
     */
    public record Bucketing(String field, long everyExamples) {

        /** No buckets: no accuracy matrix. */
        public static final Bucketing NONE = new Bucketing(null, 0);

        public Bucketing {
            if (everyExamples < 0 || (field != null && everyExamples > 0)) {
                throw new IllegalArgumentException("buckets are by a field or every N examples (N ≥ 0), not both");
            }
        }

        /** Buckets by the value of {@code name}. */
        public static Bucketing byField(String name) {
            return new Bucketing(name, 0);
        }

        /** A new bucket every {@code n} stream examples. */
        public static Bucketing byArrival(long n) {
            return new Bucketing(null, n);
        }

        public boolean enabled() {
            return field != null || everyExamples > 0;
        }

        /** The bucket of a stream example that arrived {@code ordinal}-th (from 0), or null without buckets. */
        public String bucketOf(TrainingExample example, long ordinal) {
            return field != null ? example.bucket() : everyExamples > 0 ? "t" + ordinal / everyExamples : null;
        }

        /** {@code field category}, {@code every 500 examples} or {@code none}. */
        public String describe() {
            return field != null ? "field " + field : everyExamples > 0 ? "every " + everyExamples + " examples" : "none";
        }
    }

    /**
     * @param directory the checkpoint store (a local directory)
     * @param everySteps write one every this many steps (0: not by steps)
     * @param every and at least this often while stream examples are trained (null: not by time); replay-only
     *     steps of an idle stream do not make one due
     * @param keep newest checkpoints kept
     * @param signingKeyFile a {@code SigningKey} file: each manifest is signed with it (null: unsigned)
     * @param advertisedUrl where other machines download the store ({@code CheckpointServer}): events then locate
     *     each checkpoint at {@code advertisedUrl/vNNNNNN/} (null: at its {@code file:} directory)
     */
    public record Checkpointing(Path directory, long everySteps, Duration every, int keep, Path signingKeyFile,
            URI advertisedUrl) {

        /** The default time cadence: a pushed pair is in a checkpoint within about this long of its training. */
        public static final Duration DEFAULT_EVERY = Duration.ofSeconds(20);

        public Checkpointing {
            if (directory == null || everySteps < 0 || keep < 1) {
                throw new IllegalArgumentException("checkpoints need a directory, everySteps ≥ 0 and keep ≥ 1");
            }
        }

        /** Unsigned checkpoints. */
        public Checkpointing(Path directory, long everySteps, Duration every, int keep) {
            this(directory, everySteps, every, keep, null, null);
        }

        /** The same, signed with the key in {@code file} (null: unsigned). */
        public Checkpointing withSigningKeyFile(Path file) {
            return new Checkpointing(directory, everySteps, every, keep, file, advertisedUrl);
        }

        /**
         * The same, announcing each checkpoint at {@code url/vNNNNNN/} (a {@code CheckpointServer} serving the
         * directory) instead of its {@code file:} path (null).
         */
        public Checkpointing withAdvertisedUrl(URI url) {
            return new Checkpointing(directory, everySteps, every, keep, signingKeyFile, url);
        }
    }

    public TrainerConfig {
        if (runId == null || runId.isBlank() || topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("runId and topic are required");
        }
    }

    /** Defaults: run {@code kclip-trainer}, the tiny model, batches of 64 (25% replayed), 2% held out. */
    public static TrainerConfig defaults(Path checkpointDirectory) {
        return new TrainerConfig("kclip-trainer", Topics.TRAIN_EXAMPLES.name(), ModelConfig.tiny(),
                TrainingSettings.defaults(),
                new Batching(64, Duration.ofSeconds(2)),
                new Replay(0.25, 10_000, 200, Duration.ofSeconds(10)),
                new HeldOut(0.02, 512, "label"),
                new Checkpointing(checkpointDirectory, 500, Checkpointing.DEFAULT_EVERY, 5),
                Device.cpu(), null);
    }

    public TrainerConfig withRunId(String value) {
        return new TrainerConfig(value, topic, model, training, batching, replay, heldOut, checkpoints, device, precision);
    }

    public TrainerConfig withTopic(String value) {
        return new TrainerConfig(runId, value, model, training, batching, replay, heldOut, checkpoints, device, precision);
    }

    public TrainerConfig withModel(ModelConfig value) {
        return new TrainerConfig(runId, topic, value, training, batching, replay, heldOut, checkpoints, device, precision);
    }

    public TrainerConfig withTraining(TrainingSettings value) {
        return new TrainerConfig(runId, topic, model, value, batching, replay, heldOut, checkpoints, device, precision);
    }

    public TrainerConfig withBatching(Batching value) {
        return new TrainerConfig(runId, topic, model, training, value, replay, heldOut, checkpoints, device, precision);
    }

    public TrainerConfig withReplay(Replay value) {
        return new TrainerConfig(runId, topic, model, training, batching, value, heldOut, checkpoints, device, precision);
    }

    public TrainerConfig withHeldOut(HeldOut value) {
        return new TrainerConfig(runId, topic, model, training, batching, replay, value, checkpoints, device, precision);
    }

    public TrainerConfig withCheckpoints(Checkpointing value) {
        return new TrainerConfig(runId, topic, model, training, batching, replay, heldOut, value, device, precision);
    }

    public TrainerConfig withDevice(Device value, Precision precisionValue) {
        return new TrainerConfig(runId, topic, model, training, batching, replay, heldOut, checkpoints, value,
                precisionValue);
    }

    /**
     * Starts a new student from the pretrained CLIP in {@code directory} ({@link ClipImport}), or from random weights
     * for {@link #NO_INIT}: the model's shapes and tokenizer become that CLIP's, {@code W_e} and {@code C} keep this
     * configuration's settings, and the peak learning rate becomes the fine-tuning one
     * ({@link TrainingSettings#FINE_TUNING_LEARNING_RATE}) unless it was changed from the default (set another rate
     * after this call to override). A run that resumes from a checkpoint ignores the directory.
     *
     * @throws IllegalArgumentException when the directory is not a supported CLIP
     */
    public TrainerConfig withInit(String directory) {
        if (directory.equals(NO_INIT)) {
            return this;
        }
        TrainerConfig pretrained = withModel(ClipImport.configure(Path.of(directory), model));
        return training.learningRate() != TrainingSettings.defaults().learningRate() ? pretrained
                : pretrained.withTraining(training.withLearningRate(TrainingSettings.FINE_TUNING_LEARNING_RATE,
                        training.warmupSteps()));
    }

    /** The precision to train in: as set, else MIXED on a GPU and FP32 on the CPU. */
    public Precision effectivePrecision() {
        return precision != null ? precision : device.isGpu() ? Precision.MIXED : Precision.FP32;
    }

    /** Stream examples per batch; the rest of the batch is replayed. */
    public int freshPerBatch() {
        return Math.max(1, batching.batchSize() - (int) Math.round(batching.batchSize() * replay.share()));
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration");
        }
    }
}
