package dev.kclip.concepts.drift;

import dev.kclip.concepts.kmeans.Centroids;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.state.DriftMonitorState;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Cuts the labelled stream into windows and compares each with a reference: the slow moving average of earlier
 * windows' concept mix and distance distribution, started from the bootstrap data. Fed once per model update
 * with that update's {@link WindowStatistics}; a window closes at the first update that completes it.
 *
 * <p>Per closed window: the Jensen-Shannon divergence of its concept mix against the reference; the mean centroid
 * displacement since the window began, in units of the window's mean distance of records to their centroid; the
 * novelty rate (records beyond the reference 99th percentile of d², which {@link #noveltyThreshold()} gives to the
 * model); and the concepts re-seeded during it.
 */
public final class DriftMonitor {

    private DriftSettings settings;
    private final double tau;
    private final double[] referenceMix;
    private final double[] referenceHistogram;
    private long window;
    private long windowStart;
    private long windowEnd;
    private WindowStatistics current;
    private Centroids windowStartCentroids;
    private final TreeSet<Integer> reseeded = new TreeSet<>();

    private DriftMonitor(DriftSettings settings, double tau, double[] referenceMix, double[] referenceHistogram,
            long window, long windowStart, long windowEnd, WindowStatistics current, Centroids windowStartCentroids) {
        this.settings = settings;
        this.tau = tau;
        this.referenceMix = referenceMix;
        this.referenceHistogram = referenceHistogram;
        this.window = window;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.current = current;
        this.windowStartCentroids = windowStartCentroids;
    }

    /**
     * Starts monitoring a freshly bootstrapped (or restored) model: the reference is the bootstrap data's concept
     * mix and distance distribution.
     *
     * @param bootstrap the bootstrap records, observed against {@code model}
     * @param startTime event time where the first window begins
     */
    public static DriftMonitor start(ConceptModel model, WindowStatistics bootstrap, DriftSettings settings,
            long startTime) {
        if (bootstrap.k() != model.k()) {
            throw new IllegalArgumentException("bootstrap statistics over K=" + bootstrap.k() + ", model K="
                    + model.k());
        }
        double[] mix = new double[model.k()];
        long[] counts = bootstrap.conceptCounts();
        double[] histogram = new double[DistanceHistogram.BINS];
        long[] bins = bootstrap.histogram();
        if (bootstrap.records() > 0) {
            for (int c = 0; c < mix.length; c++) {
                mix[c] = counts[c] / (double) bootstrap.records();
            }
            for (int b = 0; b < bins.length; b++) {
                histogram[b] = bins[b] / (double) bootstrap.records();
            }
        } else {
            // a model restored from a snapshot brings no data: start from its weights and threshold
            double[] weights = model.weights();
            double total = 0;
            for (double w : weights) {
                total += w;
            }
            for (int c = 0; c < mix.length; c++) {
                mix[c] = total > 0 ? weights[c] / total : 1.0 / mix.length;
            }
            histogram[DistanceHistogram.bin(model.noveltyThreshold(), model.temperature())] = 1;
        }
        return new DriftMonitor(settings, model.temperature(), mix, histogram, 0, startTime, startTime,
                new WindowStatistics(model.k()), model.centroids());
    }

    /**
     * Grades the windows that close from now on with {@code thresholds} (a restored monitor takes the configured
     * thresholds, which may have changed since it was stored).
     *
     * @return this monitor
     */
    public DriftMonitor withThresholds(DriftThresholds thresholds) {
        settings = new DriftSettings(settings.windowRecords(), settings.windowMillis(), settings.referenceRate(),
                thresholds);
        return this;
    }

    /** The d² beyond which a record is novel: the reference 99th percentile. */
    public double noveltyThreshold() {
        return DistanceHistogram.quantile(referenceHistogram, OfflineKMeans.NOVELTY_QUANTILE, tau);
    }

    /** Records in the window in progress. */
    public long recordsInWindow() {
        return current.records();
    }

    /**
     * Records still needed to close the window in progress by count, or {@link Long#MAX_VALUE} when windows are
     * cut by time only. Feeding updates no larger than this makes every window exactly the configured size.
     */
    public long recordsToCloseWindow() {
        return settings.windowRecords() > 0 ? Math.max(1, settings.windowRecords() - current.records())
                : Long.MAX_VALUE;
    }

    /** The reference concept mix (a copy). */
    public double[] referenceMix() {
        return referenceMix.clone();
    }

    /**
     * Adds the statistics of the records folded into one update.
     *
     * @param batch those records' statistics (labelled before the update)
     * @param modelAfter the model the update produced
     * @param reseededNow concepts the update re-seeded
     * @param batchEndTime event time of the batch's newest record
     * @return the summary of the window, if this update closed one
     */
    public Optional<DriftSummary> add(WindowStatistics batch, ConceptModel modelAfter, List<Integer> reseededNow,
            long batchEndTime) {
        current.merge(batch);
        reseeded.addAll(reseededNow);
        windowEnd = Math.max(windowEnd, batchEndTime);
        boolean full = settings.windowRecords() > 0 && current.records() >= settings.windowRecords();
        boolean spanned = settings.windowMillis() > 0 && windowEnd - windowStart >= settings.windowMillis();
        if (current.records() == 0 || !(full || spanned)) {
            return Optional.empty();
        }
        long[] counts = current.conceptCounts();
        double[] mix = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            mix[c] = counts[c] / (double) current.records();
        }
        double js = JensenShannon.divergence(mix, referenceMix);
        double meanWithin = current.distanceSum() / current.records();
        double[] moved = modelAfter.centroids().displacement(windowStartCentroids);
        double meanMoved = 0;
        for (double m : moved) {
            meanMoved += m / moved.length;
        }
        double displacement = meanWithin > 0 ? meanMoved / meanWithin : 0;
        double noveltyRate = current.novel() / (double) current.records();
        DriftSummary summary = new DriftSummary(window, windowStart, windowEnd, current.records(), counts, js,
                displacement, noveltyRate, List.copyOf(reseeded),
                settings.thresholds().level(js, noveltyRate, displacement), modelAfter.version());

        double rate = settings.referenceRate();
        long[] bins = current.histogram();
        for (int c = 0; c < mix.length; c++) {
            referenceMix[c] = (1 - rate) * referenceMix[c] + rate * mix[c];
        }
        for (int b = 0; b < bins.length; b++) {
            referenceHistogram[b] = (1 - rate) * referenceHistogram[b] + rate * bins[b] / (double) current.records();
        }
        window++;
        windowStart = windowEnd;
        current = new WindowStatistics(mix.length);
        windowStartCentroids = modelAfter.centroids();
        reseeded.clear();
        return Optional.of(summary);
    }

    /** This monitor as operator state (without its thresholds, which come from the configuration). */
    public DriftMonitorState toState() {
        return new DriftMonitorState(settings.windowRecords(), settings.windowMillis(), settings.referenceRate(), tau,
                Arrays.stream(referenceMix).boxed().toList(), Arrays.stream(referenceHistogram).boxed().toList(),
                window, windowStart, windowEnd, current.toState(), windowStartCentroids.toState(),
                List.copyOf(reseeded));
    }

    /**
     * Reads what {@link #toState} wrote. Window layout and reference rate come from the stored state; the
     * thresholds from {@code thresholds}, so they can be changed on a restart.
     */
    public static DriftMonitor fromState(DriftMonitorState state, DriftThresholds thresholds) {
        DriftSettings settings = new DriftSettings(state.getWindowRecords(), state.getWindowMillis(),
                state.getReferenceRate(), thresholds);
        double[] histogram = state.getReferenceHistogram().stream().mapToDouble(Double::doubleValue).toArray();
        if (histogram.length != DistanceHistogram.BINS) {
            throw new IllegalArgumentException(histogram.length + " reference bins, not " + DistanceHistogram.BINS);
        }
        DriftMonitor monitor = new DriftMonitor(settings, state.getTau(),
                state.getReferenceMix().stream().mapToDouble(Double::doubleValue).toArray(), histogram,
                state.getWindow(), state.getWindowStart(), state.getWindowEnd(),
                WindowStatistics.fromState(state.getCurrent()), Centroids.fromState(state.getWindowStartCentroids()));
        monitor.reseeded.addAll(state.getReseeded());
        return monitor;
    }
}
