package dev.kclip.concepts.bench;

import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.stream.ConceptState;
import dev.kclip.concepts.stream.ConceptStream;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.LabelledPair;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The concept life cycle on a stream whose classes arrive one after another: streams labelled vectors through a
 * {@link ConceptStream} in the order given (the arrival phase), then a shuffled mix of every class but one (the
 * stop phase), and measures:
 * <ul>
 *   <li>per class, the records from its first record until a concept of its own labels it: an active concept
 *       whose stream labels so far are mostly ({@value #OWN_SHARE} or more) that class, at least {@value #OWN_MIN}
 *       of them;</li>
 *   <li>births, merges, retirements, and the born concepts with their captions;</li>
 *   <li>after the arrival phase, purity and adjusted Rand index of the model's nearest concept over all the
 *       vectors against their classes, and the same for the offline K-means with the same K on all of them;</li>
 *   <li>in the stop phase, the records until every concept of the stopped class (by majority) has retired.</li>
 * </ul>
 * No Flink: the same {@code ConceptStream} the job's operator runs, by method calls.
 */
public final class LifecycleBench {

    /** A concept is a class's own when at least this share of its labels are that class... */
    static final double OWN_SHARE = 0.5;
    /** ... and it has labelled at least this many records of it. */
    static final int OWN_MIN = 10;

    private static final String TEACHER = "lifecycle-bench";
    private static final Instant NOW = Instant.EPOCH;

    /** A vector with its caption and ground-truth class. */
    public record Item(float[] vector, String caption, String category) {
    }

    /**
     * One class in the arrival phase.
     *
     * @param category the class
     * @param records its records
     * @param firstRecord index of its first record in the stream
     * @param ownAfter records from its first record until a concept of its own labelled it, or -1 (never)
     */
    public record Arrival(String category, int records, long firstRecord, long ownAfter) {
    }

    /** An active concept after the arrival phase: its id, weight, majority class and that class's share. */
    public record Concept(long conceptId, double weight, String majority, double share, List<String> captions) {
    }

    /** A concept born during the run: its id, the record at which it was born, and its captions. */
    public record Birth(long conceptId, long atRecord, List<String> captions) {
    }

    /**
     * The figures of one run.
     *
     * @param arrivals per class, in arrival order
     * @param births the concepts born
     * @param concepts the active concepts after the arrival phase
     * @param bootstrapConcepts K at the bootstrap
     * @param activeConcepts active concepts after the arrival phase
     * @param rows label width (K rows, free ones included) after the arrival phase
     * @param merges merges in the drift reports of the whole run
     * @param retirements retirements in the drift reports of the whole run
     * @param purity purity of the model's nearest concept over all vectors, after the arrival phase
     * @param ari its adjusted Rand index against the classes
     * @param offlinePurity purity of the offline K-means with K = {@code activeConcepts} on all vectors
     * @param offlineAri its adjusted Rand index
     * @param stopped the class left out of the stop phase
     * @param stoppedConcepts concepts the stopped class held (by majority) when it stopped
     * @param stoppedRetired for each of them that retired, the records into the stop phase until it did
     * @param othersRetired concepts of the other classes that retired in the stop phase
     * @param tauBootstrap τ after the bootstrap
     * @param tauEnd τ after the arrival phase
     * @param millis wall time of the run
     */
    public record Report(List<Arrival> arrivals, List<Birth> births, List<Concept> concepts, int bootstrapConcepts, int activeConcepts,
            int rows, int merges, int retirements, double purity, double ari, double offlinePurity,
            double offlineAri, String stopped, int stoppedConcepts, List<Long> stoppedRetired, int othersRetired,
            double tauBootstrap, double tauEnd, long millis) {

        /** Prints the figures. */
        public void print(PrintStream out) {
            out.printf(Locale.ROOT, "concept life cycle: K %d at bootstrap -> %d active (%d rows) after %d classes;"
                    + " %d born, %d merged, %d retired; tau %.4f -> %.4f; %d ms%n", bootstrapConcepts,
                    activeConcepts, rows, arrivals.size(), births.size(), merges, retirements, tauBootstrap, tauEnd,
                    millis);
            for (Arrival a : arrivals) {
                out.printf(Locale.ROOT, "  %-20s %5d records from record %5d: own concept after %s%n", a.category(),
                        a.records(), a.firstRecord(), a.ownAfter() < 0 ? "never" : a.ownAfter() + " records");
            }
            for (Concept c : concepts) {
                out.printf(Locale.ROOT, "  concept #%d weight %.0f: %.0f%% %s '%s'%n", c.conceptId(), c.weight(),
                        100 * c.share(), c.majority(), String.join(", ", c.captions()));
            }
            for (Birth b : births) {
                out.printf(Locale.ROOT, "  born #%d at record %d: '%s'%n", b.conceptId(), b.atRecord(),
                        String.join(", ", b.captions()));
            }
            out.printf(Locale.ROOT, "  purity %.3f ARI %.3f (online, K=%d) vs purity %.3f ARI %.3f (offline K-means,"
                    + " same K, all data)%n", purity, ari, activeConcepts, offlinePurity, offlineAri);
            out.printf(Locale.ROOT, "  '%s' stopped: %d of its %d concepts retired, after %s records; %d concepts of"
                    + " other classes retired%n", stopped, stoppedRetired.size(), stoppedConcepts, stoppedRetired,
                    othersRetired);
        }
    }

    private LifecycleBench() {
    }

    /**
     * Runs the arrival phase over {@code arrival} (in its order), then the stop phase of {@code stopRecords} records
     * drawn (seeded, with replacement) from every item that is not {@code stopping} (the class {@code stopped} and
     * whatever else names the same thing, e.g. flags filed under another category).
     */
    public static Report run(List<Item> arrival, String stopped, Predicate<Item> stopping, int stopRecords,
            ConceptSettings settings, long seed) {
        long start = System.nanoTime();
        List<String> classes = arrival.stream().map(Item::category).distinct().toList();
        Map<String, Integer> classIndex = new HashMap<>();
        classes.forEach(c -> classIndex.put(c, classIndex.size()));
        int[] truth = arrival.stream().mapToInt(item -> classIndex.get(item.category())).toArray();

        Run run = new Run(settings, arrival, truth, classes.size());
        for (int i = 0; i < arrival.size(); i++) {
            run.feed(i, arrival.get(i));
        }
        ConceptModel model = run.stream.state().model();
        int active = model.activeCount();
        int[] online = new int[arrival.size()];
        for (int i = 0; i < online.length; i++) {
            online[i] = model.label(arrival.get(i).vector()).concept();
        }
        OfflineKMeans.Result offline = OfflineKMeans.fit(arrival.stream().map(Item::vector).toList(),
                settings.kmeans().withK(active));
        double tauEnd = model.temperature();
        List<Concept> concepts = new ArrayList<>();
        double[] weights = model.weights();
        List<Long> ids = run.stream.state().conceptIds();
        for (int row = 0; row < ids.size(); row++) {
            long[] byClass = run.counts.get(ids.get(row));
            if (ids.get(row) >= 0 && byClass != null) {
                long total = Arrays.stream(byClass).sum();
                int m = majority(byClass);
                concepts.add(new Concept(ids.get(row), weights[row], classes.get(m), byClass[m] / (double) total,
                        run.stream.state().captions().get(row)));
            }
        }

        // the stop phase: the stopped class's concepts, by the majority of their labels so far
        int stoppedClass = classIndex.get(stopped);
        Set<Long> stoppedIds = new HashSet<>();
        Set<Long> otherIds = new HashSet<>();
        for (Map.Entry<Long, long[]> e : run.counts.entrySet()) {
            if (run.isActive(e.getKey())) {
                (majority(e.getValue()) == stoppedClass ? stoppedIds : otherIds).add(e.getKey());
            }
        }
        List<Item> others = arrival.stream().filter(stopping.negate()).toList();
        SplittableRandom random = new SplittableRandom(seed);
        List<Long> retiredAfter = new ArrayList<>();
        Set<Long> waiting = new HashSet<>(stoppedIds);
        for (int r = 0; r < stopRecords; r++) {
            run.feed(arrival.size() + r, others.get(random.nextInt(others.size())));
            for (Long id : List.copyOf(waiting)) {
                if (!run.isActive(id)) {
                    waiting.remove(id);
                    retiredAfter.add(r + 1L);
                }
            }
        }
        int othersRetired = (int) otherIds.stream().filter(id -> !run.isActive(id)).count();

        List<Arrival> arrivals = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            arrivals.add(new Arrival(classes.get(c), run.sizes[c], run.first[c],
                    run.owned[c] < 0 ? -1 : run.owned[c] - run.first[c]));
        }
        return new Report(arrivals, run.births, concepts, settings.kmeans().k(), active, model.k(), run.merges, run.retirements,
                Agreement.purity(online, truth), Agreement.adjustedRandIndex(online, truth),
                Agreement.purity(offline.assignments(), truth), Agreement.adjustedRandIndex(offline.assignments(), truth),
                stopped, stoppedIds.size(), retiredAfter, othersRetired, run.tauBootstrap, tauEnd,
                (System.nanoTime() - start) / 1_000_000);
    }

    private static int majority(long[] counts) {
        int best = 0;
        for (int c = 1; c < counts.length; c++) {
            if (counts[c] > counts[best]) {
                best = c;
            }
        }
        return best;
    }

    /** The stream and what is measured while it runs. */
    private static final class Run implements ConceptStream.Outputs {
        final ConceptStream stream;
        final List<Item> arrival;
        final int[] truth;
        final int[] sizes;
        final long[] first;
        final long[] owned;
        final Map<Long, long[]> counts = new HashMap<>();
        final Map<String, Integer> recordOf = new HashMap<>();
        final List<Birth> births = new ArrayList<>();
        final Set<Long> known = new HashSet<>();
        final List<Integer> classOfRecord = new ArrayList<>();
        int merges;
        int retirements;
        double tauBootstrap;
        long current;

        Run(ConceptSettings settings, List<Item> arrival, int[] truth, int classes) {
            this.stream = new ConceptStream(TEACHER, settings, ConceptState.empty());
            this.arrival = arrival;
            this.truth = truth;
            this.sizes = new int[classes];
            this.first = new long[classes];
            this.owned = new long[classes];
            Arrays.fill(first, -1);
            Arrays.fill(owned, -1);
        }

        void feed(int i, Item item) {
            current = i;
            int c = classOfRecord.size() < arrival.size() ? truth[i] : -1;
            if (i < arrival.size()) {
                classOfRecord.add(c);
                sizes[c]++;
                if (first[c] < 0) {
                    first[c] = i;
                }
            }
            stream.onRecord(new EmbeddingInput(ConceptBench.pair(i, item.caption(), item.vector()), TEACHER, 0, i),
                    NOW, this);
        }

        boolean isActive(long id) {
            return stream.state().conceptIds().contains(id);
        }

        @Override
        public void label(LabelledPair label) {
            int record = Integer.parseInt(label.getEmbedded().getPair().getId().substring("bench-".length()));
            if (record >= arrival.size()) {
                return;
            }
            int c = truth[record];
            long id = label.getConceptIds().get(label.getTopConcept());
            long[] byClass = counts.computeIfAbsent(id, k -> new long[sizes.length]);
            byClass[c]++;
            long total = 0;
            for (long n : byClass) {
                total += n;
            }
            if (owned[c] < 0 && byClass[c] >= OWN_MIN && byClass[c] >= OWN_SHARE * total) {
                owned[c] = current;
            }
        }

        @Override
        public void snapshot(CentroidSnapshot snapshot) {
            if (snapshot.getVersion() == 1) {
                tauBootstrap = snapshot.getTemperature();
                known.addAll(snapshot.getConceptIds());
                return;
            }
            List<Long> ids = snapshot.getConceptIds();
            for (int row = 0; row < ids.size(); row++) {
                if (ids.get(row) >= 0 && known.add(ids.get(row))) {
                    births.add(new Birth(ids.get(row), current, stream.state().captions().size() > row
                            ? stream.state().captions().get(row) : List.of()));
                }
            }
        }

        @Override
        public void drift(DriftReport report) {
            report.getConceptEvents().forEach(e -> {
                switch (e.getKind()) {
                    case MERGED -> merges++;
                    case RETIRED -> retirements++;
                    default -> { }
                }
            });
        }

        @Override
        public void rejected(DeadLetter letter) {
            throw new IllegalStateException("bench record rejected: " + letter.getMessage());
        }
    }
}
