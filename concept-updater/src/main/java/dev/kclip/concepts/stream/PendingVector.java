package dev.kclip.concepts.stream;

/**
 * A record already labelled but not yet folded into the model (the current mini-batch), as kept in state.
 *
 * @param concept the concept it was assigned
 * @param squaredDistance its d² to that concept
 * @param prepared the vector in the model's geometry
 * @param eventTime its event time (the teacher's embedding time), epoch ms
 */
public record PendingVector(int concept, double squaredDistance, float[] prepared, long eventTime) {
}
