package dev.kclip.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kclip.trainer.model.ModelConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
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
 * @param optimizerStep AdamW's step count (bias correction)
 * @param lossScale the mixed-precision loss scale (1 in float32)
 * @param createdTime ISO-8601
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
        long optimizerStep,
        double lossScale,
        String createdTime,
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
    }

    /** The same manifest with these file digests. */
    public CheckpointManifest withFiles(Map<String, FileDigest> digests) {
        return new CheckpointManifest(format, runId, version, step, examplesConsumed, examplesTrained, examplesHeldOut,
                deadLettered, offsets, model, training, losses, metrics, teacherModelId, centroidVersion, optimizerStep,
                lossScale, createdTime, digests);
    }

    /** The same manifest as version {@code newVersion}. */
    public CheckpointManifest withVersion(long newVersion) {
        return new CheckpointManifest(format, runId, newVersion, step, examplesConsumed, examplesTrained, examplesHeldOut,
                deadLettered, offsets, model, training, losses, metrics, teacherModelId, centroidVersion, optimizerStep,
                lossScale, createdTime, files);
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
