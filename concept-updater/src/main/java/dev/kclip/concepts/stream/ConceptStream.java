package dev.kclip.concepts.stream;

import dev.kclip.concepts.drift.DriftMonitor;
import dev.kclip.concepts.drift.DriftSummary;
import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.kmeans.OnlineKMeans;
import dev.kclip.concepts.state.PartialStatistics;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.LabelledPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
            if (state.bootstrap.size() >= settings.effectiveBootstrapSize()) {
                bootstrap(now, out, false);
            }
            return;
        }
        ConceptModel model = state.model;
        float[] prepared = Labelling.preparedOrRejected(input, model, teacher, out::rejected);
        if (prepared == null) {
            return;
        }
        Label label = model.labelPrepared(prepared);
        out.label(Labelling.labelled(input.pair(), label, state.conceptIds, now));
        state.pending.add(PendingVector.of(label, prepared, Labelling.eventTime(input.pair())));
        state.monitor.observeCaption(label.concept(), label.squaredDistance(), input.pair().getPair().getCaption());
        long waiting = state.pending.size();
        long partial = state.partialBatch == null ? 0 : state.partialBatch.records();
        // cut updates at window boundaries too, so every drift window holds exactly its configured records
        if (waiting + partial >= settings.batchSize() || waiting >= state.monitor.recordsToCloseWindow()) {
            update(now, out);
        }
    }

    /** A parallel assigner's partial statistics: merged into the next mini-batch. */
    public void onPartial(PartialStatistics partial, Instant now, Outputs out) {
        ConceptModel model = state.model;
        if (model == null) {
            // assigners only label once a model exists, so this cannot happen unless state was discarded
            LOG.warn("partial update for teacher {} before its model exists; ignored", teacher);
            return;
        }
        BatchStatistics batch = BatchStatistics.fromState(partial.getBatch());
        WindowStatistics window = WindowStatistics.fromState(partial.getWindow());
        if (batch.k() != model.k() || batch.dim() != model.dim()) {
            LOG.warn("partial update of K={}, D={} for a model of K={}, D={}; ignored", batch.k(), batch.dim(),
                    model.k(), model.dim());
            return;
        }
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
        OfflineKMeans.Result fit = OfflineKMeans.fit(vectors, settings.kmeans(), newest);
        ConceptModel model = fit.model();
        WindowStatistics reference = DriftMonitor.referenceStatistics(k);
        for (int i = 0; i < usable.size(); i++) {
            reference.observe(fit.assignments()[i], fit.squaredDistances()[i], model.noveltyThreshold(),
                    model.temperature());
            reference.sample(model.distance().prepare(vectors.get(i)), Labelling.eventTime(usable.get(i).pair()),
                    1);
        }
        DriftMonitor monitor = DriftMonitor.start(model, reference, settings.drift(), oldest);
        model = model.withNoveltyThreshold(monitor.noveltyThreshold());
        state.conceptIds = LongStream.range(0, k).boxed().toList();
        state.nextConceptId = k;
        List<Long> ids = state.conceptIds;
        out.snapshot(CentroidSnapshots.of(model, teacher, ids, List.of(), now));
        LOG.info("teacher {}: bootstrapped K={} concepts of D={} from {} records in {} Lloyd iterations "
                + "(inertia {}, tau {})", teacher, k, dim, usable.size(), fit.iterations(), fit.inertia(),
                model.temperature());

        // the bootstrap records are in the model already: label them and count them into the drift windows
        WindowStatistics chunk = new WindowStatistics(k);
        long chunkEnd = oldest;
        for (int i = 0; i < usable.size(); i++) {
            EmbeddingInput input = usable.get(i);
            float[] prepared = model.distance().prepare(vectors.get(i));
            Label label = model.labelPrepared(prepared);
            out.label(Labelling.labelled(input.pair(), label, ids, now));
            Labelling.observe(chunk, label, prepared, Labelling.eventTime(input.pair()), model, monitor.sampleRate());
            monitor.observeCaption(label.concept(), label.squaredDistance(), input.pair().getPair().getCaption());
            chunkEnd = Math.max(chunkEnd, Labelling.eventTime(input.pair()));
            if (chunk.records() >= monitor.recordsToCloseWindow() || i == usable.size() - 1) {
                Optional<DriftSummary> summary = monitor.add(chunk, model, List.of(), chunkEnd);
                if (summary.isPresent()) {
                    out.drift(Labelling.report(teacher, summary.get(), state.conceptIds, now));
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
            window.observe(v.concept(), v.squaredDistance(), model.noveltyThreshold(), model.temperature());
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
        if (!update.reseeded().isEmpty()) {
            List<Long> ids = new ArrayList<>(state.conceptIds);
            for (int concept : update.reseeded()) {
                ids.set(concept, state.nextConceptId++);
            }
            state.conceptIds = List.copyOf(ids);
        }
        Optional<DriftSummary> summary = state.monitor.add(window, next, update.reseeded(), batch.maxEventTime());
        if (summary.isPresent()) {
            out.drift(Labelling.report(teacher, summary.get(), state.conceptIds, now));
            next = next.withNoveltyThreshold(state.monitor.noveltyThreshold());
        }
        if (!update.reseeded().isEmpty()) {
            LOG.info("teacher {}: version {} re-seeded concepts {} (now ids {})", teacher, next.version(),
                    update.reseeded(), update.reseeded().stream().map(state.conceptIds::get).toList());
        }
        if (next.version() % settings.snapshotEvery() == 0) {
            out.snapshot(CentroidSnapshots.of(next, teacher, state.conceptIds, update.reseeded(), now));
        }
        state.pending.clear();
        state.partialBatch = null;
        state.partialWindow = null;
        state.model = next;
    }
}
