package dev.kclip.concepts.kmeans;

import dev.kclip.concepts.state.ModelState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One version of the concept model: K centroids with their decayed weights, the soft-label kernel and
 * temperature, and the novelty threshold drift is measured against. Immutable; an update makes a new version.
 *
 * <p>Each of the K rows is a slot that is active (a concept) or free (a concept retired or merged away, waiting
 * for a birth to reuse the row): a free row is never the nearest concept and gets probability 0 in every label,
 * so the rows of the active concepts keep their index for as long as they live.
 *
 * <p>Methods take raw vectors (as the teacher wrote them) unless a parameter is called {@code prepared}.
 */
public final class ConceptModel {

    private final Centroids centroids;
    private final double[] weights;
    private final Kernel kernel;
    private final double temperature;
    private final double noveltyThreshold;
    private final long version;
    private final long recordsSeen;
    private final long lastUpdateTime;
    private final boolean[] active;

    /** A model whose rows are all active concepts; see the full constructor. */
    public ConceptModel(Centroids centroids, double[] weights, Kernel kernel, double temperature,
            double noveltyThreshold, long version, long recordsSeen, long lastUpdateTime) {
        this(centroids, weights, kernel, temperature, noveltyThreshold, version, recordsSeen, lastUpdateTime, null);
    }

    /**
     * @param centroids the K centroids
     * @param weights n_k, the decayed number of records behind each centroid (length K, ≥ 0)
     * @param kernel soft-label kernel
     * @param temperature τ &gt; 0 of the kernel
     * @param noveltyThreshold d² beyond which a record counts as novel (the reference 99th percentile), ≥ 0
     * @param version grows by one with every update; concept numbering never changes between versions
     * @param recordsSeen records folded into the model so far
     * @param lastUpdateTime event time (epoch ms) of the newest record folded in; drives time-based decay
     * @param active which rows are concepts (length K, at least one true); null = all of them
     */
    public ConceptModel(Centroids centroids, double[] weights, Kernel kernel, double temperature,
            double noveltyThreshold, long version, long recordsSeen, long lastUpdateTime, boolean[] active) {
        if (weights.length != centroids.k()) {
            throw new IllegalArgumentException(weights.length + " weights for " + centroids.k() + " centroids");
        }
        for (double w : weights) {
            if (!(w >= 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("cluster weights must be finite and non-negative");
            }
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive and finite, not " + temperature);
        }
        if (!(noveltyThreshold >= 0)) {
            throw new IllegalArgumentException("novelty threshold must be non-negative, not " + noveltyThreshold);
        }
        if (active == null) {
            active = new boolean[centroids.k()];
            Arrays.fill(active, true);
        } else if (active.length != centroids.k()) {
            throw new IllegalArgumentException(active.length + " active flags for " + centroids.k() + " centroids");
        }
        boolean any = false;
        for (boolean a : active) {
            any |= a;
        }
        if (!any) {
            throw new IllegalArgumentException("a model needs at least one active concept");
        }
        this.active = active.clone();
        this.centroids = centroids;
        this.weights = weights.clone();
        this.kernel = kernel;
        this.temperature = temperature;
        this.noveltyThreshold = noveltyThreshold;
        this.version = version;
        this.recordsSeen = recordsSeen;
        this.lastUpdateTime = lastUpdateTime;
    }

    public Centroids centroids() {
        return centroids;
    }

    public int k() {
        return centroids.k();
    }

    public int dim() {
        return centroids.dim();
    }

    public Distance distance() {
        return centroids.distance();
    }

    /** n_k for every concept (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    /** Whether row {@code concept} is an active concept (not a free slot). */
    public boolean isActive(int concept) {
        return active[concept];
    }

    /** The active flag of every row (a copy). */
    public boolean[] active() {
        return active.clone();
    }

    /** How many rows are active concepts. */
    public int activeCount() {
        int n = 0;
        for (boolean a : active) {
            n += a ? 1 : 0;
        }
        return n;
    }

    public Kernel kernel() {
        return kernel;
    }

    public double temperature() {
        return temperature;
    }

    public double noveltyThreshold() {
        return noveltyThreshold;
    }

    public long version() {
        return version;
    }

    public long recordsSeen() {
        return recordsSeen;
    }

    public long lastUpdateTime() {
        return lastUpdateTime;
    }

    /** The soft label of a raw vector. */
    public float[] softLabel(float[] x) {
        return label(x).probabilities();
    }

    /** Nearest concept, its d² and the soft label of a raw vector. */
    public Label label(float[] x) {
        return labelPrepared(distance().prepare(x));
    }

    /** As {@link #label}, for a vector already passed through {@code distance().prepare}. */
    public Label labelPrepared(float[] prepared) {
        return labelOf(squaredDistances(prepared));
    }

    /**
     * The label for the squared distances to the K rows (+∞ for free rows): nearest (lowest index on ties) and soft
     * label.
     */
    private Label labelOf(double[] d2) {
        int best = 0;
        for (int c = 1; c < d2.length; c++) {
            if (d2[c] < d2[best]) {
                best = c;
            }
        }
        return new Label(best, d2[best], kernel.probabilities(d2, temperature), version);
    }

    /**
     * As {@link #labelPrepared(float[])} for a mini-batch, with one matrix product for all K·m distances (see
     * {@link Centroids#squaredDistances(List, double[])}); the labels are those of the records one by one up to
     * float rounding of d².
     */
    public List<Label> labelPrepared(List<float[]> prepared) {
        int k = k();
        double[] d2 = new double[prepared.size() * k];
        centroids.squaredDistances(prepared, d2);
        List<Label> labels = new ArrayList<>(prepared.size());
        for (int r = 0; r < prepared.size(); r++) {
            labels.add(labelOf(maskFreeRows(Arrays.copyOfRange(d2, r * k, (r + 1) * k))));
        }
        return labels;
    }

    /**
     * d² from a prepared vector to every row; +∞ for free rows, which the kernels turn into probability 0.
     */
    public double[] squaredDistances(float[] prepared) {
        double[] d2 = new double[k()];
        centroids.squaredDistances(prepared, d2);
        return maskFreeRows(d2);
    }

    private double[] maskFreeRows(double[] d2) {
        for (int c = 0; c < d2.length; c++) {
            if (!active[c]) {
                d2[c] = Double.POSITIVE_INFINITY;
            }
        }
        return d2;
    }

    /** The same model with another novelty threshold (same version: the centroids did not move). */
    public ConceptModel withNoveltyThreshold(double threshold) {
        return new ConceptModel(centroids, weights, kernel, temperature, threshold, version, recordsSeen,
                lastUpdateTime, active);
    }

    /** The same model with another temperature (same version: the centroids did not move). */
    public ConceptModel withTemperature(double tau) {
        return new ConceptModel(centroids, weights, kernel, tau, noveltyThreshold, version, recordsSeen,
                lastUpdateTime, active);
    }

    /** This model as operator state, exactly. */
    public ModelState toState() {
        return new ModelState(centroids.toState(), Arrays.stream(weights).boxed().toList(), kernel.name(),
                temperature, noveltyThreshold, version, recordsSeen, lastUpdateTime, activeState());
    }

    /** The active flags as state: empty when every row is active (as states written before free rows existed). */
    private List<Boolean> activeState() {
        List<Boolean> flags = new ArrayList<>(active.length);
        boolean all = true;
        for (boolean a : active) {
            flags.add(a);
            all &= a;
        }
        return all ? List.of() : flags;
    }

    /** Reads what {@link #toState} wrote. */
    public static ConceptModel fromState(ModelState state) {
        return new ConceptModel(Centroids.fromState(state.getCentroids()),
                state.getWeights().stream().mapToDouble(Double::doubleValue).toArray(),
                Kernel.valueOf(state.getKernel()), state.getTemperature(), state.getNoveltyThreshold(),
                state.getVersion(), state.getRecordsSeen(), state.getLastUpdateTime(), activeOf(state.getActive()));
    }

    private static boolean[] activeOf(List<Boolean> flags) {
        if (flags.isEmpty()) {
            return null;
        }
        boolean[] active = new boolean[flags.size()];
        for (int i = 0; i < active.length; i++) {
            active[i] = flags.get(i);
        }
        return active;
    }

    @Override
    public String toString() {
        return "ConceptModel[K=" + k() + " (" + activeCount() + " active), D=" + dim() + ", " + distance() + ", " + kernel + ", tau=" + temperature
                + ", version=" + version + ", records=" + recordsSeen + "]";
    }
}
