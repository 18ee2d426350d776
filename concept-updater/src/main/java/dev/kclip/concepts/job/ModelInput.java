package dev.kclip.concepts.job;

import dev.kclip.concepts.state.PartialStatistics;
import dev.kclip.concepts.stream.EmbeddingInput;

/**
 * What the concept model operator receives: either a record to label (and fold into the next mini-batch) or, on
 * the parallel path, a partial update from an assigner. Exactly one of the two is set.
 *
 * @param record a record, or null
 * @param partial a partial update, or null
 */
public record ModelInput(EmbeddingInput record, PartialStatistics partial) {

    public static ModelInput of(EmbeddingInput record) {
        return new ModelInput(record, null);
    }

    public static ModelInput of(PartialStatistics partial) {
        return new ModelInput(null, partial);
    }

    /** The key the model is kept under: the teacher model id. */
    public String teacherModelId() {
        return record != null ? record.pair().getTeacherModelId() : partial.getTeacherModelId();
    }
}
