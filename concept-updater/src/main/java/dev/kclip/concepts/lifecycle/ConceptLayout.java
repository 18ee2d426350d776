package dev.kclip.concepts.lifecycle;

import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.Centroids;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The concept set between two model versions, mutable: rows (means, weights, active flags) with their stable ids,
 * the version each row's concept got its id at, how long each has been light, and the captions that name it. The
 * life-cycle rules ({@link #retire}, {@link #merge}, {@link #birth}) change it; {@link #toModel} makes the next
 * model version from it. A row keeps its index for as long as its concept lives; a retired or merged-away concept
 * leaves a free row (id {@link dev.kclip.concepts.kmeans.CentroidSnapshots#FREE}) that the next birth reuses
 * before K grows, and an id is never given twice.
 */
public final class ConceptLayout {

    /** Novel clusters tried per full buffer: the buffer is clustered into at most this many groups. */
    static final int BIRTH_CANDIDATES = 4;
    /** A group of the buffer is born only if it holds at least this share of the buffer. */
    static final double BIRTH_MIN_SHARE = 0.25;
    /** ... and its members' mean d² to their own centroid is at most this many typical within-concept d². */
    static final double BIRTH_COHESION = 1.0;
    /**
     * Updates a concept is exempt from merging after it got its id: a re-seeded pair starts as near-duplicates, and
     * a born concept needs a few batches to settle.
     */
    static final long MERGE_GRACE = 10;
    /** Captions kept to name a concept. */
    static final int CAPTIONS = 3;

    private final int dim;
    private final Distance distance;
    private float[] means;
    private double[] weights;
    private boolean[] active;
    private long[] ids;
    private long[] since;
    private long[] lowSince;
    private final List<List<String>> captions;
    private long nextId;

    /**
     * @param model the model whose rows these are
     * @param ids stable id per row ({@code FREE} for a free row)
     * @param since the model version at which each row's concept got its id
     * @param lowSince records seen when each concept's weight fell below the retire level, or -1
     * @param captions up to 3 captions naming each row's concept (empty lists when unknown)
     * @param nextId the id the next born concept gets
     */
    public ConceptLayout(ConceptModel model, long[] ids, long[] since, long[] lowSince, List<List<String>> captions,
            long nextId) {
        int k = model.k();
        if (ids.length != k || since.length != k || lowSince.length != k || captions.size() != k) {
            throw new IllegalArgumentException("layout arrays must have K=" + k + " entries");
        }
        this.dim = model.dim();
        this.distance = model.distance();
        this.means = model.centroids().rowMajor();
        this.weights = model.weights();
        this.active = model.active();
        this.ids = ids.clone();
        this.since = since.clone();
        this.lowSince = lowSince.clone();
        this.captions = new ArrayList<>(captions.stream().map(List::copyOf).toList());
        this.nextId = nextId;
    }

    public int k() {
        return weights.length;
    }

    public long[] ids() {
        return ids.clone();
    }

    public long[] since() {
        return since.clone();
    }

    public long[] lowSince() {
        return lowSince.clone();
    }

    public List<List<String>> captions() {
        return List.copyOf(captions);
    }

    public long nextId() {
        return nextId;
    }

    private int activeCount() {
        int n = 0;
        for (boolean a : active) {
            n += a ? 1 : 0;
        }
        return n;
    }

    /**
     * Retires every active concept whose weight has stayed below {@code retireRatio} of the mean active weight
     * for {@code retireWindow} records (never the last active concept).
     *
     * @param recordsSeen the model's record count after this update
     */
    public void retire(LifecycleSettings settings, long recordsSeen, long version, long time,
            List<ConceptEvent> events) {
        if (settings.retireRatio() == 0) {
            return;
        }
        double total = 0;
        for (int i = 0; i < k(); i++) {
            total += active[i] ? weights[i] : 0;
        }
        double level = settings.retireRatio() * total / activeCount();
        for (int i = 0; i < k(); i++) {
            if (!active[i]) {
                continue;
            }
            if (weights[i] >= level) {
                lowSince[i] = -1;
                continue;
            }
            if (lowSince[i] < 0) {
                lowSince[i] = recordsSeen;
            }
            if (recordsSeen - lowSince[i] >= settings.retireWindow() && activeCount() > 1) {
                events.add(new ConceptEvent(ConceptEvent.Kind.RETIRED, ids[i], i, version, time, weights[i],
                        ConceptEvent.NONE, captions.get(i)));
                free(i, version);
            }
        }
    }

    /**
     * Merges near-duplicates: while two active concepts are closer than {@code mergeRatio · spread} (d² between
     * their centroids), the lighter merges into the heavier, which keeps its id, row and the weighted mean.
     * Concepts that got their id within the last {@link #MERGE_GRACE} versions are left out.
     *
     * @param spread the typical d² of a record to its own concept
     */
    public void merge(LifecycleSettings settings, double spread, long version, long time,
            List<ConceptEvent> events) {
        if (settings.mergeRatio() == 0) {
            return;
        }
        double limit = settings.mergeRatio() * spread;
        while (true) {
            Centroids rows = rows();
            int bestI = -1;
            int bestJ = -1;
            double best = limit;
            for (int i = 0; i < k(); i++) {
                if (!settled(i, version)) {
                    continue;
                }
                float[] unit = distance.prepare(rows.mean(i));
                for (int j = i + 1; j < k(); j++) {
                    if (settled(j, version)) {
                        double d2 = rows.squaredDistance(unit, j);
                        if (d2 < best) {
                            best = d2;
                            bestI = i;
                            bestJ = j;
                        }
                    }
                }
            }
            if (bestI < 0) {
                return;
            }
            int keep = weights[bestI] >= weights[bestJ] ? bestI : bestJ;
            int gone = keep == bestI ? bestJ : bestI;
            double total = weights[keep] + weights[gone];
            for (int j = 0; j < dim; j++) {
                means[keep * dim + j] = total == 0 ? means[keep * dim + j]
                        : (float) ((means[keep * dim + j] * weights[keep] + means[gone * dim + j] * weights[gone])
                                / total);
            }
            weights[keep] = total;
            events.add(new ConceptEvent(ConceptEvent.Kind.MERGED, ids[gone], gone, version, time, total, ids[keep],
                    captions.get(gone)));
            free(gone, version);
        }
    }

    /**
     * Births from a full novelty buffer: clusters it into at most {@link #BIRTH_CANDIDATES} groups and makes a
     * concept of every group that holds at least {@link #BIRTH_MIN_SHARE} of the buffer, is tight (mean d² to its
     * centroid at most {@link #BIRTH_COHESION}·spread) and is no near-duplicate of an existing concept, while
     * there is room (a free row, or K below {@code maxConcepts}). Born records leave the buffer; of the rest, the
     * newest half stays.
     *
     * @param buffer the novelty buffer, oldest first; changed in place
     * @param maxConcepts the most rows K may grow to
     * @param seed seeds the clustering of the buffer
     * @return whether any concept was born
     */
    public boolean birth(List<NovelRecord> buffer, LifecycleSettings settings, double spread, int maxConcepts,
            long seed, long version, long time, List<ConceptEvent> events) {
        if (buffer.size() < settings.noveltyBuffer()) {
            return false;
        }
        List<float[]> vectors = buffer.stream().map(NovelRecord::prepared).toList();
        int groups = Math.min(BIRTH_CANDIDATES, vectors.size());
        OfflineKMeans.Result fit = OfflineKMeans.fit(vectors,
                KMeansSettings.defaults(groups).withDistance(distance).withSeed(seed + version));
        int minSize = (int) Math.ceil(BIRTH_MIN_SHARE * buffer.size());
        boolean[] born = new boolean[buffer.size()];
        boolean any = false;
        Integer[] order = new Integer[groups];
        Arrays.setAll(order, g -> g);
        double[] sizes = fit.model().weights();
        Arrays.sort(order, Comparator.comparingDouble(g -> -sizes[g]));
        for (int g : order) {
            List<Integer> members = new ArrayList<>();
            double within = 0;
            for (int r = 0; r < buffer.size(); r++) {
                if (fit.assignments()[r] == g) {
                    members.add(r);
                    within += fit.squaredDistances()[r];
                }
            }
            if (members.size() < minSize || within / members.size() > BIRTH_COHESION * spread) {
                continue;
            }
            float[] mean = fit.model().centroids().mean(g);
            if (nearestActive(distance.prepare(mean)) < settings.mergeRatio() * spread) {
                continue;
            }
            int row = freeRow(maxConcepts);
            if (row < 0) {
                break;
            }
            members.sort(Comparator.comparingDouble(r -> fit.squaredDistances()[r]));
            List<String> names = members.stream().limit(CAPTIONS).map(r -> buffer.get(r).caption()).toList();
            System.arraycopy(mean, 0, means, row * dim, dim);
            weights[row] = members.size();
            active[row] = true;
            ids[row] = nextId++;
            since[row] = version;
            lowSince[row] = -1;
            captions.set(row, names);
            members.forEach(r -> born[r] = true);
            events.add(new ConceptEvent(ConceptEvent.Kind.BORN, ids[row], row, version, time, members.size(),
                    ConceptEvent.NONE, names));
            any = true;
        }
        List<NovelRecord> rest = new ArrayList<>();
        for (int r = 0; r < buffer.size(); r++) {
            if (!born[r]) {
                rest.add(buffer.get(r));
            }
        }
        buffer.clear();
        buffer.addAll(rest.subList(Math.max(0, rest.size() - settings.noveltyBuffer() / 2), rest.size()));
        return any;
    }

    private boolean settled(int row, long version) {
        return active[row] && version - since[row] >= MERGE_GRACE;
    }

    /** The next model version: these rows, with {@code model}'s kernel, τ, threshold, version and counts. */
    public ConceptModel toModel(ConceptModel model) {
        return new ConceptModel(Centroids.ofRowMajor(k(), dim, means, distance), weights, model.kernel(),
                model.temperature(), model.noveltyThreshold(), model.version(), model.recordsSeen(),
                model.lastUpdateTime(), active);
    }

    /** The lowest free row, else a new row while K is below {@code maxConcepts}, else -1. */
    private int freeRow(int maxConcepts) {
        for (int i = 0; i < k(); i++) {
            if (!active[i]) {
                return i;
            }
        }
        if (k() >= maxConcepts) {
            return -1;
        }
        int k = k() + 1;
        means = Arrays.copyOf(means, k * dim);
        weights = Arrays.copyOf(weights, k);
        active = Arrays.copyOf(active, k);
        ids = Arrays.copyOf(ids, k);
        since = Arrays.copyOf(since, k);
        lowSince = Arrays.copyOf(lowSince, k);
        ids[k - 1] = CentroidSnapshots.FREE;
        captions.add(List.of());
        return k - 1;
    }

    private void free(int row, long version) {
        active[row] = false;
        weights[row] = 0;
        ids[row] = CentroidSnapshots.FREE;
        since[row] = version;
        lowSince[row] = -1;
        captions.set(row, List.of());
    }

    /** d² from a prepared vector to the nearest active centroid. */
    private double nearestActive(float[] prepared) {
        Centroids rows = rows();
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < k(); i++) {
            if (active[i]) {
                best = Math.min(best, rows.squaredDistance(prepared, i));
            }
        }
        return best;
    }

    private Centroids rows() {
        return Centroids.ofRowMajor(k(), dim, means, distance);
    }
}
