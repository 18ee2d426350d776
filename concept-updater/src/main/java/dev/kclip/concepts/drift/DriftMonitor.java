package dev.kclip.concepts.drift;

import dev.kclip.concepts.kmeans.Centroids;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.state.DriftMonitorState;
import dev.kclip.schemas.DriftLevel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Cuts the labelled stream into windows and compares each with a reference, with thresholds calibrated on the
 * reference period so that a stationary stream alarms at the configured rate ({@link Calibration},
 * {@link DriftThresholds}). Fed once per model update with that update's {@link WindowStatistics}; a window closes
 * at the first update that completes it.
 *
 * <p>The reference period: the MMD's is the bootstrap data (its embeddings do not depend on the model). The
 * statistics of the model's labels (JS, novelty) are calibrated on the first window of records that came after
 * the bootstrap: the bootstrap records placed the centroids, so they sit closer to them than any new record will
 * (a novelty rate measured against them alarms on an unchanged stream); windows holding bootstrap records are
 * reported OK as in-sample. A model continued from a snapshot (or state written before calibration existed) has
 * no bootstrap data: its first window is the reference period for all three. The reference period's window is
 * reported OK with that reason; its concept mix and distance distribution (and, without bootstrap data, its vector
 * sample) become the reference. The concept mix and the d²
 * distribution then follow the data slowly (a moving average, {@link DriftSettings#referenceRate}); the null
 * distributions and the MMD reference sample stay those of the reference period.
 *
 * <p>Per closed window: the Jensen-Shannon divergence of its concept mix against the reference; the novelty rate
 * (records beyond the reference 99th percentile of d², which {@link #noveltyThreshold()} gives to the model);
 * MMD²ᵤ of its vector sample against the reference sample; the mean centroid displacement since the window began,
 * in units of the window's mean distance of records to their centroid (reported, not alarmed on: its null depends
 * on the forgetting and the batch sizes); the sharpness of its soft labels; the concepts whose share rose and fell
 * most with their nearest captions; and the concepts re-seeded during it.
 */
public final class DriftMonitor {

    /** Concepts listed as rising and as falling per report. */
    public static final int TOP_SHIFTS = 3;
    private static final long CALIBRATION_SEED = 42;

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
    private Calibration calibration;
    private Exemplars exemplars;
    private DriftThresholds thresholds;
    private long inSampleLeft; // bootstrap records still to pass through windows
    /** Windows after a change of the concept set whose JS is not judged (see {@link #conceptSetChanged}). */
    public static final int SETTLING_WINDOWS = 3;
    private int staleWindows; // windows still to close whose mix follows a change of the concept set
    private double referenceSelfTerm = Double.NaN; // MMD's reference term, recomputed after a restore

    private DriftMonitor(DriftSettings settings, double tau, double[] referenceMix, double[] referenceHistogram,
            long window, long windowStart, long windowEnd, WindowStatistics current, Centroids windowStartCentroids,
            Calibration calibration, Exemplars exemplars) {
        this.settings = settings;
        this.tau = tau;
        this.referenceMix = referenceMix;
        this.referenceHistogram = referenceHistogram;
        this.window = window;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.current = current;
        this.windowStartCentroids = windowStartCentroids;
        this.calibration = calibration;
        this.exemplars = exemplars;
        this.thresholds = judging(calibration, settings);
    }

    private static DriftThresholds judging(Calibration calibration, DriftSettings settings) {
        return calibration == null || calibration.countsPending() ? null : DriftThresholds.of(calibration, settings);
    }

    /**
     * The statistics a reference period is observed into: its vector sample is the MMD pool, twice the windows'.
     */
    public static WindowStatistics referenceStatistics(int k) {
        return new WindowStatistics(k, 2 * DriftSettings.SAMPLE_SIZE);
    }

    /**
     * Starts monitoring a freshly bootstrapped (or restored) model: the bootstrap data (observed into
     * {@link #referenceStatistics}, the prepared vectors sampled at rate 1) is the MMD's reference and the
     * interim concept mix and distance distribution; its records are expected to come through {@link #add} first
     * (the caller labels them too), and the first window after them is the reference period of JS and novelty.
     * When {@code bootstrap} is empty (a model from a snapshot brings no data) the first window is the reference
     * period of all three.
     *
     * @param bootstrap the bootstrap records, observed against {@code model} (d² as a record not fitted on sees)
     * @param startTime event time where the first window begins
     */
    public static DriftMonitor start(ConceptModel model, WindowStatistics bootstrap, DriftSettings settings,
            long startTime) {
        if (bootstrap.k() != model.k()) {
            throw new IllegalArgumentException("bootstrap statistics over K=" + bootstrap.k() + ", model K="
                    + model.k());
        }
        double[] mix = new double[model.k()];
        double[] histogram = new double[DistanceHistogram.BINS];
        if (bootstrap.records() > 0) {
            setReference(bootstrap, mix, histogram);
            DriftMonitor monitor = new DriftMonitor(settings, model.temperature(), mix, histogram, 0, startTime,
                    startTime, new WindowStatistics(model.k()), model.centroids(),
                    Calibration.embeddings(bootstrap, CALIBRATION_SEED), new Exemplars());
            monitor.inSampleLeft = bootstrap.records();
            return monitor;
        }
        // until the first window has closed, the model's weights and threshold stand in for the reference
        double[] weights = model.weights();
        double total = Arrays.stream(weights).sum();
        for (int c = 0; c < mix.length; c++) {
            mix[c] = total > 0 ? weights[c] / total : 1.0 / mix.length;
        }
        histogram[DistanceHistogram.bin(model.noveltyThreshold(), model.temperature())] = 1;
        return new DriftMonitor(settings, model.temperature(), mix, histogram, 0, startTime, startTime,
                referenceStatistics(model.k()), model.centroids(), null, new Exemplars());
    }

    private static long calibrationWindow(DriftSettings settings, WindowStatistics reference) {
        return settings.windowRecords() > 0 ? settings.windowRecords() : reference.records();
    }

    private static void setReference(WindowStatistics stats, double[] mix, double[] histogram) {
        setReferenceMix(stats, mix);
        setReferenceHistogram(stats, histogram);
    }

    private static void setReferenceMix(WindowStatistics stats, double[] mix) {
        long[] counts = stats.conceptCounts();
        for (int c = 0; c < mix.length; c++) {
            mix[c] = counts[c] / (double) stats.records();
        }
    }

    private static void setReferenceHistogram(WindowStatistics stats, double[] histogram) {
        long[] bins = stats.histogram();
        for (int b = 0; b < bins.length; b++) {
            histogram[b] = bins[b] / (double) stats.records();
        }
    }

    /**
     * Judges the windows that close from now on at the false-alarm rates of {@code configured} (a restored monitor
     * takes the configured rates, which may have changed since it was stored; its window layout stays).
     *
     * @return this monitor
     */
    public DriftMonitor withRates(DriftSettings configured) {
        settings = settings.withRates(configured.falseAlarmRate(), configured.warnRate());
        thresholds = judging(calibration, settings);
        return this;
    }

    /** The thresholds windows are judged by now; empty during the reference period. */
    public Optional<DriftThresholds> thresholds() {
        return Optional.ofNullable(thresholds);
    }

    /**
     * Tells the monitor that concepts were born, merged or retired in the window in progress: their shares have no
     * reference and the others' settle around them, so the JS of that window and the next
     * {@value #SETTLING_WINDOWS} − 1 is not judged, each of them re-drawing the reference mix and the JS null.
     */
    public void conceptSetChanged() {
        staleWindows = SETTLING_WINDOWS;
    }

    /** The histogram bin of {@link #noveltyThreshold()}, for calibrating the novelty rate at that threshold. */
    private int noveltyBin() {
        return DistanceHistogram.bin(noveltyThreshold(), tau);
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

    /** The share of records whose vectors the windows sample ({@link DriftSettings#sampleRate}). */
    public double sampleRate() {
        return settings.sampleRate();
    }

    /** The reference concept mix (a copy). */
    public double[] referenceMix() {
        return referenceMix.clone();
    }

    /** Offers the caption of a record labelled {@code concept} at {@code squaredDistance} in the window. */
    public void observeCaption(int concept, double squaredDistance, String caption) {
        exemplars.offer(concept, squaredDistance, caption);
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
        double meanMoved = Arrays.stream(moved).average().orElse(0);
        double displacement = meanWithin > 0 ? meanMoved / meanWithin : 0;
        double noveltyRate = current.novel() / (double) current.records();
        double mmd = mmd(current.sampledVectors());
        DriftLevel level;
        List<String> reasons;
        boolean inSample = inSampleLeft > 0;
        if (inSample) {
            level = DriftLevel.OK;
            reasons = List.of("in-sample: the window holds bootstrap records, which placed the centroids");
        } else if (thresholds == null) {
            level = DriftLevel.OK;
            reasons = List.of("reference period: the thresholds are calibrated on this window");
        } else if (staleWindows > 0) {
            // a born, merged or retired concept has no reference share, and the other concepts' shares settle around
            // it for a few windows: JS is not judged in those (novelty and MMD are), each re-draws its reference
            level = thresholds.level(0, noveltyRate, mmd);
            List<String> judged = new ArrayList<>(thresholds.reasons(0, noveltyRate, mmd));
            judged.add("concept set changed: JS not judged, its reference re-drawn from this window ("
                    + (staleWindows - 1) + " more)");
            reasons = List.copyOf(judged);
        } else {
            level = thresholds.level(js, noveltyRate, mmd);
            reasons = thresholds.reasons(js, noveltyRate, mmd);
        }
        DriftSummary summary = new DriftSummary(window, windowStart, windowEnd, current.records(), counts, js,
                displacement, noveltyRate, mmd, current.meanEntropy(), current.meanTopProbability(), thresholds,
                reasons, shifts(mix, true), shifts(mix, false), List.copyOf(reseeded), level, modelAfter.version());

        if (inSample) {
            inSampleLeft = Math.max(0, inSampleLeft - current.records());
        } else if (thresholds == null) {
            // the mix is this window's; the d² histogram (and so the model's novelty threshold, its p99) stays the
            // bootstrap's when there was one: a change arriving in this window must stay novel, or no concept is
            // born for it and the novelty null is calibrated on it
            setReferenceMix(current, referenceMix);
            if (calibration == null) {
                setReferenceHistogram(current, referenceHistogram);
            }
            long size = calibrationWindow(settings, current);
            calibration = calibration == null ? Calibration.of(current, size, CALIBRATION_SEED)
                    : calibration.withCounts(current, size, noveltyBin(), CALIBRATION_SEED);
            thresholds = DriftThresholds.of(calibration, settings);
        } else if (staleWindows > 0) {
            staleWindows--;
            setReferenceMix(current, referenceMix);
            calibration = calibration.withJsNull(current, calibrationWindow(settings, current), CALIBRATION_SEED);
            thresholds = DriftThresholds.of(calibration, settings);
        } else {
            double rate = settings.referenceRate();
            long[] bins = current.histogram();
            for (int c = 0; c < mix.length; c++) {
                referenceMix[c] = (1 - rate) * referenceMix[c] + rate * mix[c];
            }
            for (int b = 0; b < bins.length; b++) {
                referenceHistogram[b] = (1 - rate) * referenceHistogram[b]
                        + rate * bins[b] / (double) current.records();
            }
        }
        window++;
        windowStart = windowEnd;
        current = new WindowStatistics(mix.length);
        windowStartCentroids = modelAfter.centroids();
        reseeded.clear();
        exemplars.clear();
        return Optional.of(summary);
    }

    /** MMD²ᵤ of a window's sample against the reference sample; NaN without a calibrated reference. */
    private double mmd(List<float[]> sample) {
        if (calibration == null || calibration.mmdNull().length == 0 || sample.size() < 2) {
            return Double.NaN;
        }
        List<float[]> reference = calibration.reference().vectors();
        if (Double.isNaN(referenceSelfTerm)) {
            referenceSelfTerm = MaximumMeanDiscrepancy.selfTerm(reference, calibration.bandwidth());
        }
        return MaximumMeanDiscrepancy.unbiased(sample, reference, referenceSelfTerm, calibration.bandwidth());
    }

    /** The concepts whose share rose (or fell) most against the reference, with their captions. */
    private List<DriftSummary.ConceptShift> shifts(double[] mix, boolean rising) {
        Comparator<Integer> byChange = Comparator.comparingDouble(c -> mix[c] - referenceMix[c]);
        List<DriftSummary.ConceptShift> shifts = new ArrayList<>();
        IntStream.range(0, mix.length).boxed()
                .filter(c -> rising ? mix[c] > referenceMix[c] : mix[c] < referenceMix[c])
                .sorted(rising ? byChange.reversed() : byChange)
                .limit(TOP_SHIFTS)
                .forEach(c -> shifts.add(new DriftSummary.ConceptShift(c, mix[c], referenceMix[c],
                        exemplars.captions(c))));
        return shifts;
    }

    /** This monitor as operator state (the rates come from the configuration on every start). */
    public DriftMonitorState toState() {
        return new DriftMonitorState(settings.windowRecords(), settings.windowMillis(), settings.referenceRate(), tau,
                Arrays.stream(referenceMix).boxed().toList(), Arrays.stream(referenceHistogram).boxed().toList(),
                window, windowStart, windowEnd, current.toState(), windowStartCentroids.toState(),
                List.copyOf(reseeded), calibration == null ? null : calibration.toState(), exemplars.toState(),
                inSampleLeft, staleWindows);
    }

    /**
     * Reads what {@link #toState} wrote. Window layout and reference rate come from the stored state; the
     * false-alarm rates from {@code configured}, so they can be changed on a restart.
     */
    public static DriftMonitor fromState(DriftMonitorState state, DriftSettings configured) {
        DriftSettings settings = new DriftSettings(state.getWindowRecords(), state.getWindowMillis(),
                state.getReferenceRate(), configured.falseAlarmRate(), configured.warnRate());
        double[] histogram = state.getReferenceHistogram().stream().mapToDouble(Double::doubleValue).toArray();
        if (histogram.length != DistanceHistogram.BINS) {
            throw new IllegalArgumentException(histogram.length + " reference bins, not " + DistanceHistogram.BINS);
        }
        DriftMonitor monitor = new DriftMonitor(settings, state.getTau(),
                state.getReferenceMix().stream().mapToDouble(Double::doubleValue).toArray(), histogram,
                state.getWindow(), state.getWindowStart(), state.getWindowEnd(),
                WindowStatistics.fromState(state.getCurrent()), Centroids.fromState(state.getWindowStartCentroids()),
                state.getCalibration() == null ? null : Calibration.fromState(state.getCalibration()),
                Exemplars.fromState(state.getExemplars()));
        monitor.reseeded.addAll(state.getReseeded());
        monitor.inSampleLeft = state.getInSampleLeft();
        monitor.staleWindows = state.getStaleWindows();
        return monitor;
    }
}
