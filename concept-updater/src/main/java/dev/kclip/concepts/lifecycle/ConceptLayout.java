package dev.kclip.concepts.lifecycle;

import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.Centroids;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Distance;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.Kernel;
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

    /** Levels of bisection a full buffer is searched to for tight groups (so at most 2^this groups). */
    static final int BIRTH_DEPTH = 3;
    /** A group of the buffer is born only if it holds at least this share of the buffer. */
    static final double BIRTH_MIN_SHARE = 0.1;
    /** ... and its members' median d² to their own centroid is at most this many typical within-concept d². */
    static final double BIRTH_COHESION = 1.25;
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
     * Births from a full novelty buffer: finds its tight groups by bisecting K-means (a group whose members' median
     * d² to their centroid is at most {@link #BIRTH_COHESION}·spread is a candidate as it is; a looser one is split
     * in two, down to {@link #BIRTH_DEPTH} levels) and makes a concept of every candidate that holds at least
     * {@link #BIRTH_MIN_SHARE} of the buffer, that the active concepts do not explain as well already (median d² to
     * the nearest above {@link #BIRTH_COHESION}·spread) and whose centre is no near-duplicate of one (d² at least
     * {@code mergeRatio}·spread), while there is room (a
     * free row, or K below {@code maxConcepts}). Born records leave the buffer; of the rest, the newest half stays.
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
        int minSize = Math.max(2, (int) Math.ceil(BIRTH_MIN_SHARE * buffer.size()));
        List<Group> groups = new ArrayList<>();
        tightGroups(buffer, allIndices(buffer.size()), BIRTH_COHESION * spread, minSize, seed + version, 0, groups);
        groups.sort(Comparator.comparingInt(g -> -g.members().size()));
        boolean[] born = new boolean[buffer.size()];
        boolean any = false;
        for (Group g : groups) {
            // left-overs of a group born a moment ago (or of an existing concept) are explained already
            double explained = median(g.members().stream()
                    .mapToDouble(r -> nearestActive(buffer.get(r).prepared())).toArray());
            if (explained <= BIRTH_COHESION * spread
                    || nearestActive(distance.prepare(g.mean())) < settings.mergeRatio() * spread) {
                continue;
            }
            int row = freeRow(maxConcepts);
            if (row < 0) {
                break;
            }
            List<String> names = g.members().stream().limit(CAPTIONS).map(r -> buffer.get(r).caption()).toList();
            System.arraycopy(g.mean(), 0, means, row * dim, dim);
            weights[row] = g.members().size();
            active[row] = true;
            ids[row] = nextId++;
            since[row] = version;
            lowSince[row] = -1;
            captions.set(row, names);
            g.members().forEach(r -> born[r] = true);
            events.add(new ConceptEvent(ConceptEvent.Kind.BORN, ids[row], row, version, time, g.members().size(),
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

    /** A tight group of the buffer: its members (nearest its mean first) and their mean. */
    private record Group(List<Integer> members, float[] mean) {
    }

    /** Adds the tight groups among {@code members} of the buffer to {@code out} (bisecting K-means). */
    private void tightGroups(List<NovelRecord> buffer, List<Integer> members, double cohesion, int minSize, long seed,
            int depth, List<Group> out) {
        if (members.size() < minSize) {
            return;
        }
        List<float[]> vectors = members.stream().map(r -> buffer.get(r).prepared()).toList();
        OfflineKMeans.Result one = OfflineKMeans.fit(vectors, KMeansSettings.defaults(1).withDistance(distance));
        if (median(one.squaredDistances()) <= cohesion) {
            List<Integer> nearestFirst = new ArrayList<>(allIndices(members.size()));
            nearestFirst.sort(Comparator.comparingDouble(i -> one.squaredDistances()[i]));
            out.add(new Group(nearestFirst.stream().map(members::get).toList(), one.model().centroids().mean(0)));
            return;
        }
        if (depth == BIRTH_DEPTH || members.size() < 2 * minSize) {
            return;
        }
        OfflineKMeans.Result two = OfflineKMeans.fit(vectors, KMeansSettings.defaults(2).withDistance(distance)
                .withSeed(seed));
        for (int half = 0; half < 2; half++) {
            List<Integer> part = new ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                if (two.assignments()[i] == half) {
                    part.add(members.get(i));
                }
            }
            tightGroups(buffer, part, cohesion, minSize, seed * 31 + half, depth + 1, out);
        }
    }

    /** The median of some d² (as the spread is measured: {@link Kernel#temperatureFromData} is that median). */
    private static double median(double[] squaredDistances) {
        return Kernel.temperatureFromData(squaredDistances);
    }

    private static List<Integer> allIndices(int n) {
        List<Integer> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
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
