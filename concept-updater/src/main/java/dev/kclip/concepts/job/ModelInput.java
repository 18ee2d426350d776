package dev.kclip.concepts.job;

import dev.kclip.concepts.state.PartialStatistics;
import dev.kclip.concepts.stream.EmbeddingInput;

/**
 * What the concept model operator receives: either a mini-batch of one teacher's records to label (and fold into
 * the next mini-batches) or, on the parallel path, a partial update from an assigner. Exactly one of the two is set.
 *
 * @param records one teacher's records, in their order (at least one), or null
 * @param partial a partial update, or null
 */
public record ModelInput(EmbeddingInput[] records, PartialStatistics partial) {

    public static ModelInput of(EmbeddingInput[] records) {
        return new ModelInput(records, null);
    }

    public static ModelInput of(PartialStatistics partial) {
        return new ModelInput(null, partial);
    }

    /** The key the model is kept under: the teacher model id. */
    public String teacherModelId() {
        return records != null ? records[0].pair().getTeacherModelId() : partial.getTeacherModelId();
    }
}
