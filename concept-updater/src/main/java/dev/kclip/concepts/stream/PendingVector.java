package dev.kclip.concepts.stream;

import dev.kclip.concepts.drift.LabelSharpness;
import dev.kclip.concepts.kmeans.Label;

/**
 * A record already labelled but not yet folded into the model (the current mini-batch), as kept in state.
 *
 * @param concept the concept it was assigned
 * @param squaredDistance its d² to that concept
 * @param prepared the vector in the model's geometry
 * @param eventTime its event time (the teacher's embedding time), epoch ms
 * @param entropy its soft label's entropy in nats; −1 when unknown (state written before it was kept)
 * @param topProbability its soft label's largest probability; −1 when unknown
 */
public record PendingVector(int concept, double squaredDistance, float[] prepared, long eventTime, double entropy,
        double topProbability) {

    /** The pending record of {@code label}. */
    public static PendingVector of(Label label, float[] prepared, long eventTime) {
        return new PendingVector(label.concept(), label.squaredDistance(), prepared, eventTime,
                LabelSharpness.entropy(label.probabilities()), LabelSharpness.top(label.probabilities()));
    }
}
