package dev.kclip.concepts.kmeans;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * k-means++ seeding (Arthur &amp; Vassilvitskii, 2007) in its greedy form (as scikit-learn runs it): each new seed
 * is the best, by resulting potential, of 2 + ln K candidates drawn with probability proportional to d² to the
 * seeds chosen so far.
 */
public final class KMeansPlusPlus {

    private KMeansPlusPlus() {
    }

    /**
     * Picks K seeds among {@code prepared} vectors (already passed through the geometry's
     * {@link Distance#prepare}); returns their indices in order. With fewer distinct points than K, the remaining
     * seeds are drawn uniformly (duplicates).
     */
    public static int[] seedIndices(float[][] prepared, int k, long seed) {
        int n = prepared.length;
        if (n < k) {
            throw new IllegalArgumentException("k-means++ needs at least K=" + k + " points, got " + n);
        }
        int dim = prepared[0].length;
        SplittableRandom random = new SplittableRandom(seed);
        int trials = 2 + (int) Math.log(k);
        int[] chosen = new int[k];
        chosen[0] = random.nextInt(n);
        double[] closest = new double[n];
        for (int i = 0; i < n; i++) {
            closest[i] = VectorMath.squaredDistance(prepared[i], 0, prepared[chosen[0]], 0, dim);
        }
        double[] cumulative = new double[n];
        double[] candidateClosest = new double[n];
        double[] bestClosest = new double[n];
        for (int c = 1; c < k; c++) {
            double potential = 0;
            for (int i = 0; i < n; i++) {
                potential += closest[i];
                cumulative[i] = potential;
            }
            if (potential <= 0) {
                chosen[c] = random.nextInt(n);
                continue;
            }
            double bestPotential = Double.POSITIVE_INFINITY;
            int best = -1;
            for (int t = 0; t < trials; t++) {
                int candidate = draw(cumulative, random.nextDouble() * potential);
                double candidatePotential = 0;
                for (int i = 0; i < n; i++) {
                    candidateClosest[i] = Math.min(closest[i],
                            VectorMath.squaredDistance(prepared[i], 0, prepared[candidate], 0, dim));
                    candidatePotential += candidateClosest[i];
                }
                if (candidatePotential < bestPotential) {
                    bestPotential = candidatePotential;
                    best = candidate;
                    System.arraycopy(candidateClosest, 0, bestClosest, 0, n);
                }
            }
            chosen[c] = best;
            System.arraycopy(bestClosest, 0, closest, 0, n);
        }
        return chosen;
    }

    /** The first index whose cumulative weight exceeds {@code r}. */
    private static int draw(double[] cumulative, double r) {
        int i = Arrays.binarySearch(cumulative, r);
        int index = i >= 0 ? i + 1 : -i - 1;
        // an r equal to a cumulative value belongs to the next point; r < potential keeps us in range
        return Math.min(index, cumulative.length - 1);
    }
}
