package dev.kclip.concepts.job;

import dev.kclip.concepts.drift.DriftSummary;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.LabelledPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;

/** Builds the job's output records from what the plain classes compute. */
final class Labelling {

    private Labelling() {
    }

    /** The raw embedding of a validated record. */
    static float[] vector(EmbeddedPair pair) {
        return Float32Vectors.decode(pair.getEmbedding(), pair.getDim());
    }

    /**
     * The record's embedding prepared for {@code model}'s geometry; null when its dimension is not the model's, after
     * handing {@code rejected} the dead letter that says so.
     */
    static float[] preparedOrRejected(EmbeddingInput input, ConceptModel model, String teacher,
            Consumer<DeadLetter> rejected) {
        float[] x = vector(input.pair());
        if (x.length != model.dim()) {
            rejected.accept(Rejections.of(input, Rejections.DIMENSION_MISMATCH, "embedding has " + x.length
                    + " values but teacher " + teacher + "'s concept model has dimension " + model.dim()));
            return null;
        }
        return model.distance().prepare(x);
    }

    /** The record's event time for decay and drift windows: when the teacher embedded it. */
    static long eventTime(EmbeddedPair pair) {
        return pair.getEmbeddedTime().toEpochMilli();
    }

    static LabelledPair labelled(EmbeddedPair pair, Label label) {
        return LabelledPair.newBuilder()
                .setEmbedded(pair)
                .setSoftLabel(Float32Vectors.encode(label.probabilities()))
                .setConceptCount(label.probabilities().length)
                .setTopConcept(label.concept())
                .setCentroidVersion(label.version())
                .setLabelledTime(Instant.now())
                .build();
    }

    static DriftReport report(String teacherModelId, DriftSummary summary) {
        return DriftReport.newBuilder()
                .setTeacherModelId(teacherModelId)
                .setWindow(summary.window())
                .setWindowStart(Instant.ofEpochMilli(summary.windowStart()))
                .setWindowEnd(Instant.ofEpochMilli(summary.windowEnd()))
                .setRecords(summary.records())
                .setConceptCounts(Arrays.stream(summary.conceptCounts()).boxed().toList())
                .setJsDivergence(summary.jsDivergence())
                .setCentroidDisplacement(summary.centroidDisplacement())
                .setNoveltyRate(summary.noveltyRate())
                .setReseeded(summary.reseeded())
                .setLevel(summary.level())
                .setCentroidVersion(summary.centroidVersion())
                .setCreatedTime(Instant.now())
                .build();
    }
}
