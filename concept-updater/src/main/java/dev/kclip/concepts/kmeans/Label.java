package dev.kclip.concepts.kmeans;

/**
 * What the concept model says about one vector.
 *
 * @param concept the nearest concept (the top of the soft label under both kernels)
 * @param squaredDistance d² to that concept
 * @param probabilities the soft label over the K concepts; sums to 1
 * @param version the version of the model that made the label
 */
public record Label(int concept, double squaredDistance, float[] probabilities, long version) {
}
