package dev.kclip.concepts.kmeans;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The online mini-batch update with forgetting (Spark MLlib's StreamingKMeans rule). For a batch with m_k records
 * of sum Σx_k assigned to concept k, and decay factor a:
 *
 * <pre>
 *   c_k ← (c_k · n_k · a + Σx_k) / (n_k · a + m_k)
 *   n_k ← n_k · a + m_k
 * </pre>
 *
 * (concepts with no records only decay). Then every active cluster whose weight fell below {@code reseedRatio} of
 * the largest is re-seeded by splitting the largest in two, as Spark does: both halves get the mean of the two
 * weights and are pushed a small step apart along a random direction. Concept numbering never changes otherwise.
 * Free rows ({@link ConceptModel#isActive}) only decay and are never re-seeded: births fill them.
 */
public final class OnlineKMeans {

    /** Size of the push that separates the halves of a split cluster, relative to √τ. */
    private static final double SPLIT_STEP = 1e-2;

    /**
     * The result of one update.
     *
     * @param model the new version (the old version plus one)
     * @param reseeded concepts re-seeded in this update, in the order they were split off
     */
    public record Update(ConceptModel model, List<Integer> reseeded) {
    }

    private OnlineKMeans() {
    }

    /** Folds one mini-batch into {@code model}. An empty batch returns the model unchanged. */
    public static Update update(ConceptModel model, BatchStatistics batch, OnlineSettings settings) {
        if (batch.k() != model.k() || batch.dim() != model.dim()) {
            throw new IllegalArgumentException("batch of K=" + batch.k() + ", D=" + batch.dim()
                    + " for a model of K=" + model.k() + ", D=" + model.dim());
        }
        if (batch.isEmpty()) {
            return new Update(model, List.of());
        }
        int k = model.k();
        int dim = model.dim();
        double a = settings.decay().factor(batch.records(), batch.maxEventTime() - model.lastUpdateTime());
        float[] c = model.centroids().rowMajor();
        double[] n = model.weights();
        for (int i = 0; i < k; i++) {
            double decayed = n[i] * a;
            long m = batch.count(i);
            if (m > 0) {
                double total = decayed + m;
                int offset = i * dim;
                for (int j = 0; j < dim; j++) {
                    c[offset + j] = (float) ((c[offset + j] * decayed + batch.sum(i, j)) / total);
                }
                n[i] = total;
            } else {
                n[i] = decayed;
            }
        }
        long version = model.version() + 1;
        boolean[] active = model.active();
        List<Integer> reseeded = reseed(c, n, active, dim, settings, version, model.temperature());
        ConceptModel next = new ConceptModel(Centroids.wrap(k, dim, c, model.distance()), n, model.kernel(),
                model.temperature(), model.noveltyThreshold(), version, model.recordsSeen() + batch.records(),
                Math.max(model.lastUpdateTime(), batch.maxEventTime()), active);
        return new Update(next, List.copyOf(reseeded));
    }

    /**
     * Splits the largest active cluster into every dying active one (at most K − 1 splits); returns the re-seeded
     * concepts.
     */
    private static List<Integer> reseed(float[] c, double[] n, boolean[] active, int dim, OnlineSettings settings,
            long version, double temperature) {
        List<Integer> reseeded = new ArrayList<>();
        int k = active.length;
        if (k < 2 || settings.reseedRatio() == 0) {
            return reseeded;
        }
        double step = SPLIT_STEP * Math.sqrt(temperature);
        while (reseeded.size() < k - 1) {
            int largest = -1;
            int smallest = -1;
            for (int i = 0; i < k; i++) {
                if (active[i] && (largest < 0 || n[i] > n[largest])) {
                    largest = i;
                }
            }
            for (int i = 0; i < k; i++) {
                if (active[i] && i != largest && !reseeded.contains(i) && (smallest < 0 || n[i] < n[smallest])) {
                    smallest = i;
                }
            }
            if (smallest < 0 || !(n[smallest] < settings.reseedRatio() * n[largest])) {
                break;
            }
            double weight = (n[largest] + n[smallest]) / 2;
            n[largest] = weight;
            n[smallest] = weight;
            SplittableRandom random = new SplittableRandom(settings.seed() * 31 + version * 1_000_003L + smallest);
            float[] u = randomDirection(dim, random);
            for (int j = 0; j < dim; j++) {
                float x = c[largest * dim + j];
                float push = (float) (step * u[j]);
                c[largest * dim + j] = x + push;
                c[smallest * dim + j] = x - push;
            }
            reseeded.add(smallest);
        }
        return reseeded;
    }

    private static float[] randomDirection(int dim, SplittableRandom random) {
        double[] g = new double[dim];
        double norm = 0;
        for (int j = 0; j < dim; j++) {
            // Box-Muller: a Gaussian vector points in a uniformly random direction
            g[j] = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
            norm += g[j] * g[j];
        }
        float[] u = new float[dim];
        double scale = norm == 0 ? 0 : 1 / Math.sqrt(norm);
        for (int j = 0; j < dim; j++) {
            u[j] = (float) (g[j] * scale);
        }
        return u;
    }
}
