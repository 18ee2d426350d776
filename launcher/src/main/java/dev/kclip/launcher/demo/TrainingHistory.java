package dev.kclip.launcher.demo;

import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.loop.StepReport;
import dev.kclip.trainer.loop.TrainingListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the trainer reported during the demo: the loss terms of every step, and every checkpoint. */
final class TrainingHistory implements TrainingListener {

    /** The loss terms after one step. */
    record Step(long step, double embedding, double concept, double contrastive, double total) {
    }

    private final List<Step> steps = new ArrayList<>();
    private final List<CheckpointManifest> checkpoints = new ArrayList<>();
    private final Map<String, Integer> timesTrained = new HashMap<>();

    @Override
    public synchronized void onStep(StepReport report) {
        if (!report.applied()) {
            return;
        }
        steps.add(new Step(report.step(), report.embeddingLoss(), report.conceptLoss(), report.contrastiveLoss(),
                report.totalLoss()));
        for (String id : report.freshIds()) {
            timesTrained.merge(id, 1, Integer::sum);
        }
    }

    @Override
    public synchronized void onCheckpoint(StoredCheckpoint checkpoint) {
        checkpoints.add(checkpoint.manifest());
    }

    synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    synchronized long lastStep() {
        return steps.isEmpty() ? 0 : steps.get(steps.size() - 1).step();
    }

    synchronized List<CheckpointManifest> checkpoints() {
        return List.copyOf(checkpoints);
    }

    /** How many times each stream example was trained as a fresh example (replays not counted). */
    synchronized Map<String, Integer> timesTrained() {
        return Map.copyOf(timesTrained);
    }
}
