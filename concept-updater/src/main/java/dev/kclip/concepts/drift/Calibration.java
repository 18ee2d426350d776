package dev.kclip.concepts.drift;

import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.state.CalibrationState;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The null distributions of the drift statistics, drawn from the reference period (for the MMD the bootstrap's
 * embeddings, for JS and novelty the first window after the bootstrap; see {@link DriftMonitor}): what each
 * statistic looks like on a window of the same size when nothing changes. {@link DriftThresholds#of} takes their upper quantiles.
 *
 * <ul>
 *   <li>Jensen-Shannon divergence: a parametric bootstrap of the concept counts: the reference is redrawn as
 *       Poisson(count_k) per concept and the window as Poisson(n·share_k) (the Poisson form of the multinomial
 *       with the reference's shares), and their JS taken; {@value #DRAWS} draws. Redrawing the reference too
 *       accounts for its own sampling noise, which the windows are compared against.</li>
 *   <li>Novelty rate: the reference histogram of d² is redrawn bin by bin, its 99th-percentile bin is the
 *       threshold, and the window's novel count is Poisson(n·q) with q = (reference records beyond it + 1)/(B + 1);
 *       {@value #DRAWS} draws.</li>
 *   <li>MMD²ᵤ: a pool of up to 2·{@link DriftSettings#SAMPLE_SIZE} reference vectors; its first half is the
 *       reference sample, the permutation null splits the pool into the same two sizes ({@value #PERMUTATIONS}
 *       permutations; Alibi Detect's MMDDrift uses 100 for a p-value, more are needed here for a tail of
 *       rate/3).</li>
 * </ul>
 *
 * @param jsNull sorted draws of the JS divergence
 * @param noveltyNull sorted draws of the novelty rate
 * @param mmdNull sorted draws of MMD²ᵤ; empty when the pool held fewer than {@value #MIN_POOL} vectors
 * @param reference the reference sample (the first half of the pool)
 * @param bandwidth the RBF bandwidth h (median squared distance over the pool)
 */
public record Calibration(double[] jsNull, double[] noveltyNull, double[] mmdNull, VectorSample reference,
        double bandwidth) {

    /** Bootstrap draws per count statistic. */
    public static final int DRAWS = 2_000;
    /** Permutations of the MMD pool. */
    public static final int PERMUTATIONS = 1_000;
    /** The smallest pool the MMD is calibrated on (two halves of 8). */
    public static final int MIN_POOL = 16;

    /**
     * Calibrates on a reference period.
     *
     * @param reference its statistics: concept counts and d² histogram, and its vector sample (the MMD pool)
     * @param windowRecords the size of the windows to be judged
     * @param seed the draws' seed (fixed: the same reference gives the same thresholds)
     */
    public static Calibration of(WindowStatistics reference, long windowRecords, long seed) {
        return embeddings(reference, seed).withCounts(reference, windowRecords, -1, seed);
    }

    /**
     * The MMD part only, from a reference pool (the bootstrap's embeddings); the count statistics are pending until
     * {@link #withCounts}.
     */
    public static Calibration embeddings(WindowStatistics pool, long seed) {
        List<float[]> vectors = pool.sampledVectors();
        if (vectors.size() < MIN_POOL) {
            return new Calibration(new double[0], new double[0], new double[0],
                    pool.vectorSample().smallest(DriftSettings.SAMPLE_SIZE), Double.NaN);
        }
        int half = Math.min(DriftSettings.SAMPLE_SIZE, vectors.size() / 2);
        // the pool is in hash order, a random order: its head is a uniform sample
        MaximumMeanDiscrepancy.Null mmd = MaximumMeanDiscrepancy.permutationNull(vectors, half, PERMUTATIONS, seed);
        return new Calibration(new double[0], new double[0], mmd.values(), pool.vectorSample().smallest(half),
                mmd.bandwidth());
    }

    /** Whether the count statistics (JS, novelty) still wait for their reference period. */
    public boolean countsPending() {
        return jsNull.length == 0;
    }

    /**
     * This calibration with the JS and novelty nulls drawn from {@code reference}'s counts.
     *
     * @param noveltyBin the histogram bin of the novelty threshold in force (the bootstrap's 99th percentile), or −1
     *     when the threshold is the reference's own 99th percentile (redrawn with it)
     */
    public Calibration withCounts(WindowStatistics reference, long windowRecords, int noveltyBin, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long[] counts = reference.conceptCounts();
        long[] histogram = reference.histogram();
        double n = windowRecords;
        double total = reference.records();
        double[] js = new double[DRAWS];
        double[] novelty = new double[DRAWS];
        double[] ref = new double[counts.length];
        double[] win = new double[counts.length];
        for (int d = 0; d < DRAWS; d++) {
            double refSum = 0;
            double winSum = 0;
            for (int c = 0; c < counts.length; c++) {
                ref[c] = poisson(random, counts[c]);
                win[c] = poisson(random, n * counts[c] / total);
                refSum += ref[c];
                winSum += win[c];
            }
            js[d] = refSum > 0 && winSum > 0 ? JensenShannon.divergence(win, ref) : 0;
            // at a fixed threshold the reference's own count beyond it is redrawn (its sampling noise, as for JS)
            double beyond = noveltyBin >= 0 ? (poisson(random, tail(histogram, noveltyBin)) + 1) / (total + 1)
                    : beyondRedrawnQuantile(random, histogram, total);
            novelty[d] = poisson(random, n * beyond) / n;
        }
        Arrays.sort(js);
        Arrays.sort(novelty);
        return new Calibration(js, novelty, mmdNull, reference(), bandwidth);
    }

    /**
     * This calibration with the JS null drawn again from {@code reference}'s concept counts (after the concept set
     * changed), the novelty and MMD nulls as they are.
     */
    public Calibration withJsNull(WindowStatistics reference, long windowRecords, long seed) {
        return new Calibration(withCounts(reference, windowRecords, 0, seed).jsNull(), noveltyNull, mmdNull,
                reference(), bandwidth);
    }

    /** Reference records beyond {@code bin}. */
    private static double tail(long[] histogram, int bin) {
        double beyond = 0;
        for (int b = bin + 1; b < histogram.length; b++) {
            beyond += histogram[b];
        }
        return beyond;
    }

    /**
     * The chance that a new record falls beyond the 99th-percentile bin of a redrawn histogram: the reference
     * records beyond it plus one, over the reference plus one (the rank argument of conformal prediction: a new
     * exchangeable record exceeds all B reference records with probability 1/(B + 1), so an empty tail is not a
     * zero chance).
     */
    private static double beyondRedrawnQuantile(SplittableRandom random, long[] histogram, double total) {
        double[] redrawn = new double[histogram.length];
        double redrawnTotal = 0;
        for (int b = 0; b < histogram.length; b++) {
            redrawn[b] = histogram[b] == 0 ? 0 : poisson(random, histogram[b]);
            redrawnTotal += redrawn[b];
        }
        double running = 0;
        int bin = histogram.length - 1;
        for (int b = 0; b < histogram.length; b++) {
            running += redrawn[b];
            if (running >= OfflineKMeans.NOVELTY_QUANTILE * redrawnTotal) {
                bin = b;
                break;
            }
        }
        return (tail(histogram, bin) + 1) / (total + 1);
    }

    /** A Poisson draw: Knuth's product of uniforms below mean 30, the rounded normal approximation above. */
    static double poisson(SplittableRandom random, double mean) {
        if (mean <= 0) {
            return 0;
        }
        if (mean >= 30) {
            return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(random)));
        }
        double limit = Math.exp(-mean);
        double product = random.nextDouble();
        int k = 0;
        while (product > limit) {
            product *= random.nextDouble();
            k++;
        }
        return k;
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    /** These null distributions as state. */
    public CalibrationState toState() {
        return new CalibrationState(Arrays.stream(jsNull).boxed().toList(),
                Arrays.stream(noveltyNull).boxed().toList(), Arrays.stream(mmdNull).boxed().toList(),
                reference.toState(), bandwidth);
    }

    /** Reads what {@link #toState} wrote. */
    public static Calibration fromState(CalibrationState state) {
        return new Calibration(state.getJsNull().stream().mapToDouble(Double::doubleValue).toArray(),
                state.getNoveltyNull().stream().mapToDouble(Double::doubleValue).toArray(),
                state.getMmdNull().stream().mapToDouble(Double::doubleValue).toArray(),
                VectorSample.fromState(state.getReference()), state.getBandwidth());
    }
}
