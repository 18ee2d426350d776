package dev.kclip.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kclip.trainer.eval.AccuracyMatrix;
import dev.kclip.trainer.eval.ContinualMetrics;
import dev.kclip.trainer.model.ModelConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code checkpoint.json}: everything needed to resume a run and to trust its files.
 *
 * @param format manifest format, {@value #FORMAT}
 * @param runId the training run (consumer group) that wrote it
 * @param version checkpoint version, from 1, one directory each
 * @param step optimizer updates taken
 * @param examplesConsumed stream examples read and resolved (trained, held out or dead-lettered); replays not counted
 * @param examplesTrained examples trained on, replays included
 * @param examplesHeldOut stream examples kept out of training for evaluation
 * @param deadLettered stream records rejected to the dead-letter topic
 * @param offsets next offset to consume per {@code topic-partition}; everything before it is in these weights
 * @param model the model configuration, K included
 * @param training the training settings of the run
 * @param losses the loss terms, averaged since the previous checkpoint
 * @param metrics evaluation figures on the held-out split
 * @param teacherModelId the teacher the run distils from, or null before the first example
 * @param centroidVersion the concept updater's centroid version the classifier follows
 * @param conceptIds the stable id of each classifier row, as the labels of {@code centroidVersion} named them;
 *     null in checkpoints written before the ids existed (the ids are then the row indices)
 * @param optimizerStep AdamW's step count (bias correction)
 * @param lossScale the mixed-precision loss scale (1 in float32)
 * @param createdTime ISO-8601
 * @param accuracyMatrix the continual evaluation so far, one row per checkpoint of the run: zero-shot accuracy per
 *     bucket of held-out pairs; null without buckets and in checkpoints written before it existed
 * @param continual in-domain accuracy, backward and forward transfer of {@code accuracyMatrix}; null with it
 * @param replayPolicy how replayed examples are chosen ({@code reservoir}: a uniform sample of every example
 *     trained, algorithm R); the replay figures are in {@code metrics}; null in checkpoints written before it
 * @param files every other file of the checkpoint directory: size and SHA-256
 */
public record CheckpointManifest(
        int format,
        String runId,
        long version,
        long step,
        long examplesConsumed,
        long examplesTrained,
        long examplesHeldOut,
        long deadLettered,
        Map<String, Long> offsets,
        ModelConfig model,
        JsonNode training,
        Map<String, Double> losses,
        Map<String, Double> metrics,
        String teacherModelId,
        long centroidVersion,
        List<Long> conceptIds,
        long optimizerStep,
        double lossScale,
        String createdTime,
        AccuracyMatrix accuracyMatrix,
        ContinualMetrics continual,
        String replayPolicy,
        Map<String, FileDigest> files) {

    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Size and SHA-256 (hex) of one file. */
    public record FileDigest(long bytes, String sha256) {
    }

    public CheckpointManifest {
        offsets = new TreeMap<>(offsets);
        losses = new LinkedHashMap<>(losses);
        metrics = new LinkedHashMap<>(metrics);
        files = new TreeMap<>(files);
        conceptIds = conceptIds == null ? null : List.copyOf(conceptIds);
    }

    /** The same manifest with these file digests. */
    public CheckpointManifest withFiles(Map<String, FileDigest> digests) {
        return toBuilder().files(digests).build();
    }

    /** The same manifest as version {@code newVersion}. */
    public CheckpointManifest withVersion(long newVersion) {
        return toBuilder().version(newVersion).build();
    }

    /** A builder of format {@value #FORMAT}, everything else zero, empty or null. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this manifest's values. */
    public Builder toBuilder() {
        return new Builder().runId(runId).version(version).step(step)
                .counts(examplesConsumed, examplesTrained, examplesHeldOut, deadLettered).offsets(offsets).model(model)
                .training(training).losses(losses).metrics(metrics).teacherModelId(teacherModelId)
                .concepts(centroidVersion, conceptIds).optimizer(optimizerStep, lossScale).createdTime(createdTime)
                .continual(accuracyMatrix, continual).replayPolicy(replayPolicy).files(files).format(format);
    }

    /** Builds a manifest field group by field group; see the record's components for what each value means. */
    public static final class Builder {
        private int format = FORMAT;
        private String runId;
        private long version;
        private long step;
        private long examplesConsumed;
        private long examplesTrained;
        private long examplesHeldOut;
        private long deadLettered;
        private Map<String, Long> offsets = Map.of();
        private ModelConfig model;
        private JsonNode training;
        private Map<String, Double> losses = Map.of();
        private Map<String, Double> metrics = Map.of();
        private String teacherModelId;
        private long centroidVersion;
        private List<Long> conceptIds;
        private long optimizerStep;
        private double lossScale = 1;
        private String createdTime;
        private AccuracyMatrix accuracyMatrix;
        private ContinualMetrics continual;
        private String replayPolicy;
        private Map<String, FileDigest> files = Map.of();

        private Builder() {
        }

        public Builder format(int value) {
            format = value;
            return this;
        }

        public Builder runId(String value) {
            runId = value;
            return this;
        }

        public Builder version(long value) {
            version = value;
            return this;
        }

        public Builder step(long value) {
            step = value;
            return this;
        }

        /** Stream examples consumed, examples trained (replays included), held out, and dead-lettered. */
        public Builder counts(long consumed, long trained, long heldOut, long deadLetters) {
            examplesConsumed = consumed;
            examplesTrained = trained;
            examplesHeldOut = heldOut;
            deadLettered = deadLetters;
            return this;
        }

        public Builder offsets(Map<String, Long> value) {
            offsets = value;
            return this;
        }

        public Builder model(ModelConfig value) {
            model = value;
            return this;
        }

        public Builder training(JsonNode value) {
            training = value;
            return this;
        }

        public Builder losses(Map<String, Double> value) {
            losses = value;
            return this;
        }

        public Builder metrics(Map<String, Double> value) {
            metrics = value;
            return this;
        }

        public Builder teacherModelId(String value) {
            teacherModelId = value;
            return this;
        }

        /** The centroid version the classifier follows and its rows' concept ids (null: the row indices). */
        public Builder concepts(long version, List<Long> ids) {
            centroidVersion = version;
            conceptIds = ids;
            return this;
        }

        /** AdamW's step count and the loss scale. */
        public Builder optimizer(long optimizerSteps, double scale) {
            optimizerStep = optimizerSteps;
            lossScale = scale;
            return this;
        }

        public Builder createdTime(String value) {
            createdTime = value;
            return this;
        }

        /** The continual evaluation's matrix and its summary figures (null: none). */
        public Builder continual(AccuracyMatrix matrix, ContinualMetrics metrics) {
            accuracyMatrix = matrix;
            continual = metrics;
            return this;
        }

        public Builder replayPolicy(String value) {
            replayPolicy = value;
            return this;
        }

        public Builder files(Map<String, FileDigest> value) {
            files = value;
            return this;
        }

        public CheckpointManifest build() {
            return new CheckpointManifest(format, runId, version, step, examplesConsumed, examplesTrained,
                    examplesHeldOut, deadLettered, offsets, model, training, losses, metrics, teacherModelId,
                    centroidVersion, conceptIds, optimizerStep, lossScale, createdTime, accuracyMatrix, continual,
                    replayPolicy, files);
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write checkpoint manifest: " + e.getMessage(), e);
        }
    }

    /** @throws IOException when {@code json} is not a manifest */
    public static CheckpointManifest fromJson(byte[] json) throws IOException {
        CheckpointManifest manifest = JSON.readValue(json, CheckpointManifest.class);
        if (manifest.format() != FORMAT) {
            throw new IOException("checkpoint format " + manifest.format() + " is not " + FORMAT);
        }
        return manifest;
    }

    /** {@code topic-partition}, the key of {@link #offsets}. */
    public static String offsetKey(String topic, int partition) {
        return topic + "-" + partition;
    }

    /** The partition of an {@link #offsetKey} (topics may contain dashes; the partition is after the last). */
    public static int partitionOf(String offsetKey) {
        return Integer.parseInt(offsetKey.substring(offsetKey.lastIndexOf('-') + 1));
    }

    /** The topic of an {@link #offsetKey}. */
    public static String topicOf(String offsetKey) {
        return offsetKey.substring(0, offsetKey.lastIndexOf('-'));
    }
}
