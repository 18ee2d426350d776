package dev.kclip.concepts.stream;

import dev.kclip.concepts.drift.DriftMonitor;
import dev.kclip.concepts.drift.DriftSummary;
import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Kernel;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.kmeans.OnlineKMeans;
import dev.kclip.concepts.lifecycle.ConceptEvent;
import dev.kclip.concepts.lifecycle.ConceptLayout;
import dev.kclip.concepts.lifecycle.LifecycleSettings;
import dev.kclip.concepts.lifecycle.NovelRecord;
import dev.kclip.concepts.lifecycle.StalePartials;
import dev.kclip.concepts.lifecycle.Temperature;
import dev.kclip.concepts.state.PartialStatistics;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.LabelledPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The concept model of one teacher over its stream of embeddings, as plain method calls: buffers the first B
 * records and bootstraps from them with the offline K-means, labels every record with the current version, folds
 * mini-batches of m records (and, on the parallel path, the assigners' partial statistics) into the model with the
 * online update, writes a centroid snapshot per update and a drift report per window.
 *
 * <p>Concept ids: the bootstrap numbers its concepts 0..K−1; every concept an update re-seeds gets the next id of a
 * counter that only grows, so an id is never reused; every label and snapshot carries the current ids.
 *
 * <p>All it remembers is its {@link ConceptState}, which the caller keeps (the Flink operator in keyed state) and
 * hands back to the next {@code ConceptStream} it makes: a stream built on a state decoded from
 * {@link ConceptState#encode} behaves exactly as the one that encoded it. The time is passed in ({@code now},
 * the processing time that stamps labels, snapshots and reports); windows and decay run on the records' event time.
 */
public final class ConceptStream {

    private static final Logger LOG = LoggerFactory.getLogger(ConceptStream.class);

    /** Where a stream's outputs go. */
    public interface Outputs {

        /** A labelled record (the main output). */
        void label(LabelledPair label);

        /** A new model version. */
        void snapshot(CentroidSnapshot snapshot);

        /** A closed drift window. */
        void drift(DriftReport report);

        /** A record that cannot be labelled. */
        void rejected(DeadLetter letter);
    }

    /** Fewest pending records the spread and τ are measured on. */
    private static final int MIN_SAMPLE = 16;
    /** How fast the spread follows the batches' median d². */
    private static final double SPREAD_RATE = 0.1;
    /**
     * Novel records must arrive at least at this rate (share of the stream) to make a birth: the novelty buffer
     * forgets records older than N / this rate, so the scattered tail of a steady stream (about 1% beyond the
     * novelty threshold) does not add up to concepts.
     */
    static final double MIN_NOVEL_RATE = 0.05;
    /** Captions kept to name a bootstrapped concept. */
    private static final int CAPTIONS = 3;

    private final String teacher;
    private final ConceptSettings settings;
    private final ConceptState state;

    /**
     * @param teacher the teacher model id whose records these are
     * @param settings the algorithm's settings
     * @param state what the stream remembers; a restored model without a drift monitor starts one here
     */
    public ConceptStream(String teacher, ConceptSettings settings, ConceptState state) {
        this.teacher = teacher;
        this.settings = settings;
        this.state = state;
        if (state.monitor != null) {
            state.monitor.withRates(settings.drift());
        } else if (state.model != null) {
            state.monitor = DriftMonitor.start(state.model, new WindowStatistics(state.model.k()), settings.drift(),
                    state.model.lastUpdateTime());
            state.scale = state.model.temperature();
            LOG.info("teacher {}: continuing from snapshot version {}", teacher, state.model.version());
        }
    }

    /** What the stream remembers (the same object it was made with, updated by every call). */
    public ConceptState state() {
        return state;
    }

    /**
     * Whether records wait for a model or an update: the end of a bounded input ({@link #endOfInput}) has work to
     * do.
     */
    public boolean hasWaitingRecords() {
        return !state.bootstrap.isEmpty() || !state.pending.isEmpty() || state.partialBatch != null;
    }

    /** One validated record: buffered for the bootstrap, or labelled and put into the next mini-batch. */
    public void onRecord(EmbeddingInput input, Instant now, Outputs out) {
        if (state.model == null) {
            state.bootstrap.add(input);
            if (state.bootstrap.size() >= settings.effectiveBootstrapWindow()) {
                bootstrap(now, out, false);
            }
            return;
        }
        ConceptModel model = state.model;
        float[] prepared = Labelling.preparedOrRejected(input, model, teacher, out::rejected);
        if (prepared == null) {
            return;
        }
        labelled(input, prepared, model.labelPrepared(prepared), now, out);
        if (recordsUntilUpdate() == 0) {
            update(now, out);
        }
    }

    /**
     * Records in arrival order, as {@link #onRecord} of each in turn would take them, with the same labels up to
     * float rounding: the records up to the next update point all meet the same model version, so they are
     * labelled together with one matrix product ({@link ConceptModel#labelPrepared(List)}).
     */
    public void onRecords(List<EmbeddingInput> inputs, Instant now, Outputs out) {
        int next = 0;
        while (next < inputs.size()) {
            if (state.model == null) {
                onRecord(inputs.get(next++), now, out);
                continue;
            }
            ConceptModel model = state.model;
            int end = (int) Math.min(inputs.size(), next + Math.max(1, recordsUntilUpdate()));
            List<EmbeddingInput> usable = new ArrayList<>(end - next);
            List<float[]> prepared = new ArrayList<>(end - next);
            for (EmbeddingInput input : inputs.subList(next, end)) {
                float[] x = Labelling.preparedOrRejected(input, model, teacher, out::rejected);
                if (x != null) {
                    usable.add(input);
                    prepared.add(x);
                }
            }
            List<Label> labels = model.labelPrepared(prepared);
            for (int i = 0; i < usable.size(); i++) {
                labelled(usable.get(i), prepared.get(i), labels.get(i), now, out);
            }
            if (recordsUntilUpdate() == 0) {
                update(now, out);
            }
            next = end;
        }
    }

    /** Emits a record's label and puts it into the pending mini-batch. */
    private void labelled(EmbeddingInput input, float[] prepared, Label label, Instant now, Outputs out) {
        out.label(Labelling.labelled(input.pair(), label, state.conceptIds, now));
        state.pending.add(PendingVector.of(label, prepared, Labelling.eventTime(input.pair())));
        state.monitor.observeCaption(label.concept(), label.squaredDistance(), input.pair().getPair().getCaption());
        if (label.squaredDistance() > state.model.noveltyThreshold()) {
            long record = state.model.recordsSeen() + state.pending.size();
            int buffer = settings.lifecycle().noveltyBuffer();
            // a birth needs novel records arriving at MIN_NOVEL_RATE or more: older ones leave the buffer
            long oldest = record - (long) Math.ceil(buffer / MIN_NOVEL_RATE);
            state.novelty.removeIf(r -> r.record() < oldest);
            state.novelty.add(new NovelRecord(prepared, input.pair().getPair().getCaption(),
                    Labelling.eventTime(input.pair()), record));
            if (state.novelty.size() > 2 * buffer) {
                state.novelty.remove(0);
            }
        }
    }

    /**
     * Labelled records still to come before the pending mini-batch is folded in (0: now). Updates are cut at window
     * boundaries too, so every drift window holds exactly its configured records.
     */
    private long recordsUntilUpdate() {
        long waiting = state.pending.size();
        long partial = state.partialBatch == null ? 0 : state.partialBatch.records();
        return Math.max(0, Math.min(settings.batchSize() - waiting - partial,
                state.monitor.recordsToCloseWindow() - waiting));
    }

    /** A parallel assigner's partial statistics: merged into the next mini-batch. */
    public void onPartial(PartialStatistics partial, Instant now, Outputs out) {
        ConceptModel model = state.model;
        if (model == null) {
            // assigners only label once a model exists, so this cannot happen unless state was discarded
            LOG.warn("partial update for teacher {} before its model exists; ignored", teacher);
            return;
        }
        if (partial.getBatch().getK() > model.k() || partial.getBatch().getDim() != model.dim()) {
            LOG.warn("partial update of K={}, D={} for a model of K={}, D={}; ignored", partial.getBatch().getK(),
                    partial.getBatch().getDim(), model.k(), model.dim());
            return;
        }
        StalePartials.Admitted admitted = StalePartials.admit(partial.getBatch(), partial.getBaseVersion(),
                model.version(), state.since);
        if (admitted.droppedRecords() > 0) {
            state.droppedPartialRecords += admitted.droppedRecords();
            LOG.info("teacher {}: dropped {} records of a partial update from version {} (model at {}): their"
                    + " concepts changed since", teacher, admitted.droppedRecords(), partial.getBaseVersion(),
                    model.version());
        }
        BatchStatistics batch = BatchStatistics.fromState(admitted.batch());
        WindowStatistics window = DriftGrowth.window(WindowStatistics.fromState(partial.getWindow()), model.k());
        if (state.partialBatch != null) {
            batch.merge(state.partialBatch);
            window.merge(state.partialWindow);
        }
        state.partialBatch = batch;
        state.partialWindow = window;
        if (batch.records() + state.pending.size() >= settings.batchSize()) {
            update(now, out);
        }
    }

    /**
     * The end of a bounded input: bootstraps from a short buffer (or dead-letters it when it holds fewer than K
     * usable records) and folds the last partial batch in, so the final snapshot covers every record.
     */
    public void endOfInput(Instant now, Outputs out) {
        if (state.model == null) {
            bootstrap(now, out, true);
        } else {
            update(now, out);
        }
    }

    /** Builds version 1 from the bootstrap buffer, labels the buffered records with it, starts drift monitoring. */
    private void bootstrap(Instant now, Outputs out, boolean endOfInput) {
        List<EmbeddingInput> buffered = new ArrayList<>(state.bootstrap);
        if (buffered.isEmpty()) {
            return;
        }
        // the teacher's dimension is what most of its records have; the odd ones out are dead-lettered
        Map<Integer, Long> dims = new HashMap<>();
        buffered.forEach(input -> dims.merge(input.pair().getDim(), 1L, Long::sum));
        int dim = dims.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        List<EmbeddingInput> usable = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        long newest = Long.MIN_VALUE;
        long oldest = Long.MAX_VALUE;
        for (EmbeddingInput input : buffered) {
            float[] x = Labelling.vector(input.pair());
            if (x.length != dim) {
                out.rejected(Labelling.rejected(input, RejectReason.DIMENSION_MISMATCH, "embedding has " + x.length
                        + " values but most of teacher " + teacher + "'s records have " + dim));
                continue;
            }
            usable.add(input);
            vectors.add(x);
            newest = Math.max(newest, Labelling.eventTime(input.pair()));
            oldest = Math.min(oldest, Labelling.eventTime(input.pair()));
        }
        state.bootstrap.clear();
        int k = settings.kmeans().k();
        if (usable.size() < k) {
            if (endOfInput) {
                for (EmbeddingInput input : usable) {
                    out.rejected(Labelling.rejected(input, RejectReason.TOO_FEW_TO_BOOTSTRAP, "the input ended with "
                            + usable.size() + " records for teacher " + teacher + ", fewer than K=" + k
                            + ": no concept model to label them"));
                }
            } else {
                // keep buffering the usable ones (the rejected are out for good)
                state.bootstrap.addAll(usable);
            }
            return;
        }
        // the fit sees a uniform sample of B of the W buffered records (all of them when W = B); all W get labels
        List<float[]> sample = sample(vectors, settings.effectiveBootstrapSize(), settings.kmeans().seed());
        OfflineKMeans.Result fit = OfflineKMeans.fit(sample, settings.kmeans(), newest);
        ConceptModel model = fit.model();
        // each buffered vector prepared once (the distance's normalisation) for its label, sample and drift window
        List<float[]> prepared = vectors.stream().map(model.distance()::prepare).toList();
        List<Label> labels = new ArrayList<>(usable.size());
        WindowStatistics reference = DriftMonitor.referenceStatistics(k);
        double[] d2 = new double[usable.size()];
        for (int i = 0; i < usable.size(); i++) {
            Label label = model.labelPrepared(prepared.get(i));
            labels.add(label);
            d2[i] = label.squaredDistance();
            reference.observe(label.concept(), label.squaredDistance(), model.noveltyThreshold(),
                    model.temperature());
            reference.sample(prepared.get(i), Labelling.eventTime(usable.get(i).pair()), 1);
        }
        DriftMonitor monitor = DriftMonitor.start(model, reference, settings.drift(), oldest);
        model = model.withNoveltyThreshold(monitor.noveltyThreshold());
        state.scale = model.temperature();
        state.conceptIds = LongStream.range(0, k).boxed().toList();
        state.nextConceptId = k;
        state.since = new long[k];
        Arrays.fill(state.since, model.version());
        state.lowSince = new long[k];
        Arrays.fill(state.lowSince, -1);
        state.captions = nearestCaptions(usable, labels, k);
        state.spread = Kernel.temperatureFromData(d2);
        state.targetEntropy = settings.lifecycle().targetEntropy() > 0 ? settings.lifecycle().targetEntropy()
                : labels.stream().mapToDouble(l -> Temperature.entropy(l.probabilities())).average().orElse(0);
        List<Long> ids = state.conceptIds;
        out.snapshot(CentroidSnapshots.of(model, teacher, ids, List.of(), now));
        LOG.info("teacher {}: bootstrapped K={} concepts of D={} from {} of {} records in {} Lloyd iterations "
                + "(inertia {}, tau {})", teacher, k, dim, sample.size(), usable.size(), fit.iterations(),
                fit.inertia(), model.temperature());

        // the bootstrap records are in the model already: label them and count them into the drift windows
        WindowStatistics chunk = new WindowStatistics(k);
        long chunkEnd = oldest;
        for (int i = 0; i < usable.size(); i++) {
            EmbeddingInput input = usable.get(i);
            Label label = labels.get(i);
            out.label(Labelling.labelled(input.pair(), label, ids, now));
            Labelling.observe(chunk, label, prepared.get(i), Labelling.eventTime(input.pair()),
                    model.noveltyThreshold(), state.scale, monitor.sampleRate());
            monitor.observeCaption(label.concept(), label.squaredDistance(), input.pair().getPair().getCaption());
            chunkEnd = Math.max(chunkEnd, Labelling.eventTime(input.pair()));
            if (chunk.records() >= monitor.recordsToCloseWindow() || i == usable.size() - 1) {
                Optional<DriftSummary> summary = monitor.add(chunk, model, List.of(), chunkEnd);
                if (summary.isPresent()) {
                    out.drift(report(summary.get(), now));
                    model = model.withNoveltyThreshold(monitor.noveltyThreshold());
                }
                chunk = new WindowStatistics(k);
            }
        }
        state.model = model;
        state.monitor = monitor;
    }

    /** Folds the pending mini-batch (own records and merged partials) into the model. */
    private void update(Instant now, Outputs out) {
        ConceptModel model = state.model;
        BatchStatistics batch = new BatchStatistics(model.k(), model.dim());
        WindowStatistics window = new WindowStatistics(model.k());
        for (PendingVector v : state.pending) {
            batch.add(v.concept(), v.prepared(), v.eventTime());
            window.observe(v.concept(), v.squaredDistance(), model.noveltyThreshold(), state.scale);
            if (v.entropy() >= 0) {
                window.observeSharpness(v.entropy(), v.topProbability());
            }
            window.sample(v.prepared(), v.eventTime(), state.monitor.sampleRate());
        }
        if (state.partialBatch != null) {
            batch.merge(state.partialBatch);
            window.merge(state.partialWindow);
        }
        if (batch.isEmpty()) {
            return;
        }
        OnlineKMeans.Update update = OnlineKMeans.update(model, batch, settings.online());
        ConceptModel next = update.model();
        List<Long> ids = new ArrayList<>(state.conceptIds);
        for (int concept : update.reseeded()) {
            ids.set(concept, state.nextConceptId++);
            state.since[concept] = next.version();
        }
        followSpread();
        List<ConceptEvent> events = new ArrayList<>();
        ConceptLayout layout = new ConceptLayout(next, ids.stream().mapToLong(Long::longValue).toArray(),
                state.since, state.lowSince, state.captions, state.nextConceptId);
        LifecycleSettings lifecycle = settings.lifecycle();
        long time = batch.maxEventTime();
        layout.retire(lifecycle, next.recordsSeen(), next.version(), time, events);
        layout.merge(lifecycle, state.spread, next.version(), time, events);
        layout.birth(state.novelty, lifecycle, state.spread, settings.effectiveMaxConcepts(),
                settings.kmeans().seed(), next.version(), time, events);
        if (!events.isEmpty()) {
            next = layout.toModel(next);
            ids = Arrays.stream(layout.ids()).boxed().toList();
            state.nextConceptId = layout.nextId();
            state.captions = layout.captions();
            events.forEach(e -> LOG.info("teacher {}: version {} {} concept {} (row {}, weight {}) {}", teacher,
                    e.version(), e.kind(), e.conceptId(), e.row(), Math.round(e.weight()), e.captions()));
        }
        state.since = layout.since();
        state.lowSince = layout.lowSince();
        state.conceptIds = List.copyOf(ids);
        state.events.addAll(events);
        if (next.k() > model.k()) {
            state.monitor = DriftGrowth.monitor(state.monitor, next, settings.drift());
            window = DriftGrowth.window(window, next.k());
        }
        if (!events.isEmpty()) {
            state.monitor.conceptSetChanged();
        }
        boolean changed = !events.isEmpty() || !update.reseeded().isEmpty();
        Optional<DriftSummary> summary = state.monitor.add(window, next, update.reseeded(), batch.maxEventTime());
        if (summary.isPresent()) {
            next = next.withNoveltyThreshold(state.monitor.noveltyThreshold());
        }
        if (changed || summary.isPresent()) {
            next = followEntropy(next);
        }
        if (summary.isPresent()) {
            out.drift(report(summary.get(), now));
        }
        if (!update.reseeded().isEmpty()) {
            LOG.info("teacher {}: version {} re-seeded concepts {} (now ids {})", teacher, next.version(),
                    update.reseeded(), update.reseeded().stream().map(state.conceptIds::get).toList());
        }
        if (next.version() % settings.snapshotEvery() == 0 || changed) {
            out.snapshot(CentroidSnapshots.of(next, teacher, state.conceptIds, update.reseeded(), now));
        }
        state.pending.clear();
        state.partialBatch = null;
        state.partialWindow = null;
        state.model = next;
    }
    /** The drift report of a closed window, with the life-cycle events since the previous one. */
    private DriftReport report(DriftSummary summary, Instant now) {
        DriftReport report = Labelling.report(teacher, summary, state.conceptIds, state.events, now);
        state.events.clear();
        return report;
    }

    /** The spread follows the median d² of the pending records to their concepts (a moving average, rate 0.1). */
    private void followSpread() {
        if (state.pending.size() < MIN_SAMPLE) {
            return;
        }
        double median = Kernel.temperatureFromData(
                state.pending.stream().mapToDouble(PendingVector::squaredDistance).toArray());
        state.spread = state.spread == 0 ? median : (1 - SPREAD_RATE) * state.spread + SPREAD_RATE * median;
    }

    /**
     * τ re-estimated on the pending records so the mean label entropy stays at the target: only when τ comes from
     * the data, on the single-operator path (the parallel assigners bin distances by the published τ), with enough
     * records to measure.
     */
    private ConceptModel followEntropy(ConceptModel model) {
        if (settings.kmeans().temperature() > 0 || settings.assigners() > 0 || state.pending.size() < MIN_SAMPLE
                || state.targetEntropy == 0 || model.activeCount() < 2) {
            return model;
        }
        List<double[]> d2 = state.pending.stream().map(v -> model.squaredDistances(v.prepared())).toList();
        double tau = Temperature.forEntropy(d2, model.kernel(), state.targetEntropy, model.temperature());
        return model.withTemperature(tau);
    }

    /** A seeded uniform sample of {@code size} of {@code vectors}, in their order (all of them if fewer). */
    private static List<float[]> sample(List<float[]> vectors, int size, long seed) {
        if (vectors.size() <= size) {
            return vectors;
        }
        int[] index = new int[vectors.size()];
        Arrays.setAll(index, i -> i);
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            int j = i + random.nextInt(index.length - i);
            int t = index[i];
            index[i] = index[j];
            index[j] = t;
        }
        int[] chosen = Arrays.copyOf(index, size);
        Arrays.sort(chosen);
        return Arrays.stream(chosen).mapToObj(vectors::get).toList();
    }

    /** For each concept, the captions of the (up to 3) bootstrap records nearest it. */
    private static List<List<String>> nearestCaptions(List<EmbeddingInput> inputs, List<Label> labels, int k) {
        List<List<Integer>> members = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            members.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.size(); i++) {
            members.get(labels.get(i).concept()).add(i);
        }
        List<List<String>> captions = new ArrayList<>(k);
        for (List<Integer> m : members) {
            captions.add(m.stream().sorted(Comparator.comparingDouble(i -> labels.get(i).squaredDistance()))
                    .limit(CAPTIONS).map(i -> inputs.get(i).pair().getPair().getCaption()).toList());
        }
        return captions;
    }
}
