package dev.kclip.trainer.loop;

import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.Evaluator;
import dev.kclip.trainer.model.ModelConfig;
import dev.kclip.trainer.model.RowRemap;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The model as {@link StreamTrainer} drives it: one optimizer step per batch, an evaluation, the classifier's rows
 * following the concepts, and the files of a checkpoint. {@link TrainingSession} is the real one.
 */
public interface Student extends AutoCloseable {

    /** Makes students: a new one for known shapes, or one resumed from a checkpoint. */
    interface Factory {

        /** A new student for {@code config}, teacher dimension and K set. */
        Student create(ModelConfig config);

        /** The student of a verified checkpoint: weights, optimizer state, loss scale. */
        Student restore(StoredCheckpoint checkpoint) throws IOException;
    }

    /** One step on {@code fresh} stream examples plus {@code replayed} ones. */
    StepReport train(List<TrainingExample> fresh, List<TrainingExample> replayed) throws InvalidExampleException;

    /**
     * One step, told which examples the next batch begins with ({@code upcoming}, possibly empty), so it may
     * prepare them while this step runs. The step is the one {@link #train(List, List)} makes.
     */
    default StepReport train(List<TrainingExample> fresh, List<TrainingExample> replayed, List<TrainingExample> upcoming)
            throws InvalidExampleException {
        return train(fresh, replayed);
    }

    /**
     * Evaluation figures on held-out examples and, with {@code buckets}, zero-shot accuracy per bucket.
     *
     * @param buckets the bucket of each example (parallel to {@code heldOut}), or null
     */
    Evaluator.Evaluation evaluate(List<TrainingExample> heldOut, List<String> buckets) throws InvalidExampleException;

    /** Resizes (and resets rows of) the concept classifier following {@code plan}. */
    void followConcepts(RowRemap plan);

    /** Updates applied so far. */
    long step();

    /** The mixed-precision loss scale (1 in float32). */
    double lossScale();

    /** The shapes of the model, K included. */
    ModelConfig config();

    /** The weights and optimizer state, as checkpoint files. */
    Map<String, CheckpointStore.FileContent> checkpointFiles();

    @Override
    void close();
}
