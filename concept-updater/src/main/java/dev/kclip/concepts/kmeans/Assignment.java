package dev.kclip.concepts.kmeans;

/**
 * The concept nearest to a vector.
 *
 * @param concept index of the nearest centroid, in [0, K)
 * @param squaredDistance d² to it, in the model's {@link Distance} geometry
 */
public record Assignment(int concept, double squaredDistance) {
}
