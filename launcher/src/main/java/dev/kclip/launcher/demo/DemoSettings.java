package dev.kclip.launcher.demo;

import dev.kclip.launcher.pipeline.StagePlacement;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the demo runs.
 *
 * @param home state folder of the demo's pipeline (wiped first when {@code fresh})
 * @param dataset a JSON Lines dataset ({@code image}, {@code caption}, other fields)
 * @param labelField the field naming each pair's class, for zero-shot evaluation
 * @param orderBy the field whose groups are streamed one after another (in order of first appearance)
 * @param heldOutShare share of pair ids the trainer never trains on and evaluates on
 * @param concepts K of the concept updater
 * @param bootstrapSize B, records the concept updater buffers before its first K-means
 * @param driftWindow records per drift report
 * @param minSteps training steps to reach (with replay once the stream is consumed)
 * @param batchSize training batch size
 * @param teacher teacher model spec
 * @param reportDir where {@code index.html} is written
 * @param timeout the demo gives up waiting after this long and reports what it has
 * @param init a pretrained CLIP directory the student starts from (the command's default: the bundled
 *     {@code models/emoji-base}), or {@code none} (TrainerConfig.NO_INIT) for random weights
 * @param placement the teacher's and the trainer's devices and the student configuration
 * @param pauseTrainer the trainer starts only once every pair is labelled, so push → labelled example is measured
 *     without it on the same cores (a benchmark mode: freshness then includes the pause)
 */
public record DemoSettings(Path home, Path dataset, String labelField, String orderBy, double heldOutShare,
        int concepts, int bootstrapSize, int driftWindow, long minSteps, int batchSize, String teacher,
        Path reportDir, Duration timeout, boolean fresh, String init, StagePlacement placement, boolean pauseTrainer) {
}
