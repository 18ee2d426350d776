package dev.kclip.concepts.job;

import dev.kclip.concepts.drift.DriftMonitor;
import dev.kclip.concepts.drift.DriftSummary;
import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.kmeans.OnlineKMeans;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.LabelledPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The concept model of one teacher (keyed by teacher model id): bootstraps it from the first B records with the
 * offline K-means, labels every record with the current version, folds mini-batches into it with the online
 * update, writes a centroid snapshot per update and a drift report per window. On the parallel path it also
 * merges the assigners' partial statistics into its mini-batches.
 *
 * <p>Everything lives in Flink keyed state (model, drift monitor, bootstrap buffer, the pending mini-batch), so a
 * restore from a checkpoint or savepoint continues exactly where it was. Decoded copies of the model and monitor
 * are cached per key and replaced whenever the state is written.
 *
 * <p>Bounded inputs: a timer at the end of event time builds the model from a short bootstrap buffer and folds
 * the last partial batch in, so the final snapshot covers every record.
 */
final class ConceptModelFunction extends KeyedProcessFunction<String, ModelInput, LabelledPair> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConceptModelFunction.class);

    static final OutputTag<CentroidSnapshot> SNAPSHOTS = new OutputTag<>("centroid-snapshots",
            ConceptTypes.CENTROID_SNAPSHOT) {
        private static final long serialVersionUID = 1L;
    };
    static final OutputTag<DriftReport> DRIFT_REPORTS = new OutputTag<>("drift-reports", ConceptTypes.DRIFT_REPORT) {
        private static final long serialVersionUID = 1L;
    };

    private final ConceptSettings settings;
    private final HashMap<String, byte[]> initialModels;

    private transient ValueState<byte[]> modelState;
    private transient ValueState<byte[]> monitorState;
    private transient ListState<EmbeddingInput> bootstrapBuffer;
    private transient ValueState<Long> bootstrapCount;
    private transient ListState<PendingVector> pending;
    private transient ValueState<Long> pendingCount;
    private transient ValueState<byte[]> partialBatch;
    private transient ValueState<byte[]> partialWindow;
    private transient ValueState<Long> partialCount;
    private transient Map<String, ConceptModel> models;
    private transient Map<String, DriftMonitor> monitors;

    /**
     * @param initialModels models to start from per teacher model id ({@code --init-from-snapshot}), as
     *     {@link ConceptModel#toBytes()}; state restored from a checkpoint takes precedence
     */
    ConceptModelFunction(ConceptSettings settings, Map<String, byte[]> initialModels) {
        this.settings = settings;
        this.initialModels = new HashMap<>(initialModels);
    }

    @Override
    public void open(OpenContext openContext) {
        modelState = getRuntimeContext().getState(new ValueStateDescriptor<>("model",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        monitorState = getRuntimeContext().getState(new ValueStateDescriptor<>("drift-monitor",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        bootstrapBuffer = getRuntimeContext().getListState(new ListStateDescriptor<>("bootstrap-buffer",
                ConceptTypes.EMBEDDING_INPUT));
        bootstrapCount = getRuntimeContext().getState(new ValueStateDescriptor<>("bootstrap-count", Types.LONG));
        pending = getRuntimeContext().getListState(new ListStateDescriptor<>("pending-batch",
                ConceptTypes.PENDING_VECTOR));
        pendingCount = getRuntimeContext().getState(new ValueStateDescriptor<>("pending-count", Types.LONG));
        partialBatch = getRuntimeContext().getState(new ValueStateDescriptor<>("partial-batch",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        partialWindow = getRuntimeContext().getState(new ValueStateDescriptor<>("partial-window",
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        partialCount = getRuntimeContext().getState(new ValueStateDescriptor<>("partial-count", Types.LONG));
        models = new HashMap<>();
        monitors = new HashMap<>();
    }

    @Override
    public void processElement(ModelInput input, Context ctx, Collector<LabelledPair> out) throws Exception {
        String key = ctx.getCurrentKey();
        ConceptModel model = currentModel(key);
        if (input.partial() != null) {
            if (model == null) {
                // assigners only label once a model exists, so this cannot happen unless state was discarded
                LOG.warn("partial update for teacher {} before its model exists; ignored", key);
                return;
            }
            mergePartial(input.partial(), model, ctx, out);
            return;
        }
        if (model == null) {
            long buffered = increment(bootstrapCount);
            bootstrapBuffer.add(input.record());
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            if (buffered >= settings.effectiveBootstrapSize()) {
                bootstrap(key, ctx, out, false);
            }
            return;
        }
        label(input.record(), model, ctx, out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabelledPair> out) throws Exception {
        // end of a bounded input: bootstrap from what there is, and fold the last partial batch in
        String key = ctx.getCurrentKey();
        if (currentModel(key) == null) {
            bootstrap(key, ctx, out, true);
        } else {
            update(key, ctx);
        }
    }

    private void label(EmbeddingInput input, ConceptModel model, Context ctx, Collector<LabelledPair> out)
            throws Exception {
        float[] prepared = Labelling.preparedOrRejected(input, model, ctx.getCurrentKey(),
                letter -> ctx.output(Rejections.DEAD_LETTERS, letter));
        if (prepared == null) {
            return;
        }
        Label label = model.labelPrepared(prepared);
        out.collect(Labelling.labelled(input.pair(), label));
        pending.add(new PendingVector(label.concept(), label.squaredDistance(), prepared,
                Labelling.eventTime(input.pair())));
        long waiting = increment(pendingCount);
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        // cut updates at window boundaries too, so every drift window holds exactly its configured records
        DriftMonitor monitor = monitors.get(ctx.getCurrentKey());
        if (waiting + count(partialCount) >= settings.batchSize() || waiting >= monitor.recordsToCloseWindow()) {
            update(ctx.getCurrentKey(), ctx);
        }
    }

    private void mergePartial(PartialUpdate partial, ConceptModel model, Context ctx, Collector<LabelledPair> out)
            throws Exception {
        BatchStatistics batch = BatchStatistics.fromBytes(partial.batch());
        WindowStatistics window = WindowStatistics.fromBytes(partial.window());
        if (batch.k() != model.k() || batch.dim() != model.dim()) {
            LOG.warn("partial update of K={}, D={} for a model of K={}, D={}; ignored", batch.k(), batch.dim(),
                    model.k(), model.dim());
            return;
        }
        if (partialBatch.value() != null) {
            batch.merge(BatchStatistics.fromBytes(partialBatch.value()));
            window.merge(WindowStatistics.fromBytes(partialWindow.value()));
        }
        partialBatch.update(batch.toBytes());
        partialWindow.update(window.toBytes());
        partialCount.update(batch.records());
        // a bounded input folds its last partial batch in at the end, also when no record reached this operator
        ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        if (batch.records() + count(pendingCount) >= settings.batchSize()) {
            update(ctx.getCurrentKey(), ctx);
        }
    }

    /** Builds version 1 from the bootstrap buffer, labels the buffered records with it, starts drift monitoring. */
    private void bootstrap(String key, KeyedProcessFunction<String, ModelInput, LabelledPair>.Context ctx,
            Collector<LabelledPair> out, boolean endOfInput) throws Exception {
        List<EmbeddingInput> buffered = new ArrayList<>();
        bootstrapBuffer.get().forEach(buffered::add);
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
                ctx.output(Rejections.DEAD_LETTERS, Rejections.of(input, Rejections.DIMENSION_MISMATCH,
                        "embedding has " + x.length + " values but most of teacher " + key + "'s records have "
                                + dim));
                continue;
            }
            usable.add(input);
            vectors.add(x);
            newest = Math.max(newest, Labelling.eventTime(input.pair()));
            oldest = Math.min(oldest, Labelling.eventTime(input.pair()));
        }
        int k = settings.kmeans().k();
        if (usable.size() < k) {
            // keep buffering the usable ones (the rejected are out for good)
            bootstrapBuffer.update(usable);
            bootstrapCount.update((long) usable.size());
            if (endOfInput) {
                for (EmbeddingInput input : usable) {
                    ctx.output(Rejections.DEAD_LETTERS, Rejections.of(input, Rejections.TOO_FEW_TO_BOOTSTRAP,
                            "the input ended with " + usable.size() + " records for teacher " + key
                                    + ", fewer than K=" + k + ": no concept model to label them"));
                }
                clearBootstrap();
            }
            return;
        }
        OfflineKMeans.Result fit = OfflineKMeans.fit(vectors, settings.kmeans(), newest);
        ConceptModel model = fit.model();
        WindowStatistics reference = new WindowStatistics(k);
        for (int i = 0; i < usable.size(); i++) {
            reference.observe(fit.assignments()[i], fit.squaredDistances()[i], model.noveltyThreshold(),
                    model.temperature());
        }
        DriftMonitor monitor = DriftMonitor.start(model, reference, settings.drift(), oldest);
        model = model.withNoveltyThreshold(monitor.noveltyThreshold());
        ctx.output(SNAPSHOTS, CentroidSnapshots.of(model, key, List.of(), Instant.now()));
        LOG.info("teacher {}: bootstrapped K={} concepts of D={} from {} records in {} Lloyd iterations "
                + "(inertia {}, tau {})", key, k, dim, usable.size(), fit.iterations(), fit.inertia(),
                model.temperature());

        // the bootstrap records are in the model already: label them and count them into the drift windows
        WindowStatistics chunk = new WindowStatistics(k);
        long chunkEnd = oldest;
        for (int i = 0; i < usable.size(); i++) {
            EmbeddingInput input = usable.get(i);
            Label label = model.label(vectors.get(i));
            out.collect(Labelling.labelled(input.pair(), label));
            chunk.observe(label.concept(), label.squaredDistance(), model.noveltyThreshold(), model.temperature());
            chunkEnd = Math.max(chunkEnd, Labelling.eventTime(input.pair()));
            if (chunk.records() >= monitor.recordsToCloseWindow() || i == usable.size() - 1) {
                Optional<DriftSummary> summary = monitor.add(chunk, model, List.of(), chunkEnd);
                if (summary.isPresent()) {
                    ctx.output(DRIFT_REPORTS, Labelling.report(key, summary.get()));
                    model = model.withNoveltyThreshold(monitor.noveltyThreshold());
                }
                chunk = new WindowStatistics(k);
            }
        }
        clearBootstrap();
        store(key, model, monitor);
    }

    /** Folds the pending mini-batch (own records and merged partials) into the model. */
    private void update(String key, KeyedProcessFunction<String, ModelInput, LabelledPair>.Context ctx)
            throws Exception {
        ConceptModel model = currentModel(key);
        DriftMonitor monitor = monitors.get(key);
        BatchStatistics batch = new BatchStatistics(model.k(), model.dim());
        WindowStatistics window = new WindowStatistics(model.k());
        for (PendingVector v : pending.get()) {
            batch.add(v.concept(), v.prepared(), v.eventTime());
            window.observe(v.concept(), v.squaredDistance(), model.noveltyThreshold(), model.temperature());
        }
        if (partialBatch.value() != null) {
            batch.merge(BatchStatistics.fromBytes(partialBatch.value()));
            window.merge(WindowStatistics.fromBytes(partialWindow.value()));
        }
        if (batch.isEmpty()) {
            return;
        }
        OnlineKMeans.Update update = OnlineKMeans.update(model, batch, settings.online());
        ConceptModel next = update.model();
        Optional<DriftSummary> summary = monitor.add(window, next, update.reseeded(), batch.maxEventTime());
        if (summary.isPresent()) {
            ctx.output(DRIFT_REPORTS, Labelling.report(key, summary.get()));
            next = next.withNoveltyThreshold(monitor.noveltyThreshold());
        }
        if (!update.reseeded().isEmpty()) {
            LOG.info("teacher {}: version {} re-seeded concepts {}", key, next.version(), update.reseeded());
        }
        if (next.version() % settings.snapshotEvery() == 0) {
            ctx.output(SNAPSHOTS, CentroidSnapshots.of(next, key, update.reseeded(), Instant.now()));
        }
        pending.clear();
        pendingCount.clear();
        partialBatch.clear();
        partialWindow.clear();
        partialCount.clear();
        store(key, next, monitor);
    }

    /** The key's model: cached, else from state, else the initial model (which then starts its monitoring). */
    private ConceptModel currentModel(String key) throws Exception {
        ConceptModel model = models.get(key);
        if (model != null) {
            return model;
        }
        byte[] stored = modelState.value();
        if (stored != null) {
            model = ConceptModel.fromBytes(stored);
            models.put(key, model);
            monitors.put(key, DriftMonitor.fromBytes(monitorState.value(), settings.drift().thresholds()));
            return model;
        }
        byte[] initial = initialModels.get(key);
        if (initial == null) {
            return null;
        }
        model = ConceptModel.fromBytes(initial);
        DriftMonitor monitor = DriftMonitor.start(model, new WindowStatistics(model.k()), settings.drift(),
                model.lastUpdateTime());
        store(key, model, monitor);
        LOG.info("teacher {}: continuing from snapshot version {}", key, model.version());
        return model;
    }

    private void store(String key, ConceptModel model, DriftMonitor monitor) throws Exception {
        modelState.update(model.toBytes());
        monitorState.update(monitor.toBytes());
        models.put(key, model);
        monitors.put(key, monitor);
    }

    private void clearBootstrap() {
        bootstrapBuffer.clear();
        bootstrapCount.clear();
    }

    private static long increment(ValueState<Long> counter) throws Exception {
        long next = count(counter) + 1;
        counter.update(next);
        return next;
    }

    private static long count(ValueState<Long> counter) throws Exception {
        Long value = counter.value();
        return value == null ? 0 : value;
    }
}
