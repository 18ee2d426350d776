package dev.kclip.trainer.loop;

import dev.kclip.trainer.checkpoint.StoredCheckpoint;

/** Hears what the trainer does, on its thread (keep it quick). */
public interface TrainingListener {

    /** Does nothing. */
    TrainingListener NONE = new TrainingListener() {
    };

    /** After every step. */
    default void onStep(StepReport report) {
    }

    /** After a checkpoint is written and announced. */
    default void onCheckpoint(StoredCheckpoint checkpoint) {
    }
}
