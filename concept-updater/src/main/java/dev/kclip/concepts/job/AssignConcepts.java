package dev.kclip.concepts.job;

import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.LabelledPair;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * One of P parallel assigners on the parallel path: labels records with the newest centroids it has been sent
 * (broadcast state, fed back from the snapshot topic), and accumulates what the update needs into partial
 * statistics, sent to the single updater every m / P records. Records of a teacher it has no model for yet go to
 * the updater unlabelled (the updater bootstraps and labels them).
 */
final class AssignConcepts extends BroadcastProcessFunction<EmbeddingInput, CentroidSnapshot, LabelledPair>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /** Broadcast state: teacher model id → newest model ({@link ConceptModel#toBytes()}). */
    static final MapStateDescriptor<String, byte[]> MODELS = new MapStateDescriptor<>("concept-models", Types.STRING,
            PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
    static final OutputTag<EmbeddingInput> UNLABELLED = new OutputTag<>("unlabelled", ConceptTypes.EMBEDDING_INPUT) {
        private static final long serialVersionUID = 1L;
    };
    static final OutputTag<PartialUpdate> PARTIALS = new OutputTag<>("partial-updates", ConceptTypes.PARTIAL_UPDATE) {
        private static final long serialVersionUID = 1L;
    };

    private final int flushSize;
    private final HashMap<String, byte[]> initialModels;

    private transient Map<String, ConceptModel> models;
    private transient Map<String, Accumulator> accumulators;
    private transient ListState<PartialUpdate> accumulatorState;

    /** Statistics of the records labelled since the last flush, for one teacher. */
    private static final class Accumulator {
        final long baseVersion;
        final BatchStatistics batch;
        final WindowStatistics window;

        Accumulator(long baseVersion, BatchStatistics batch, WindowStatistics window) {
            this.baseVersion = baseVersion;
            this.batch = batch;
            this.window = window;
        }

        PartialUpdate toPartial(String teacherModelId) {
            return new PartialUpdate(teacherModelId, baseVersion, batch.records(), batch.toBytes(), window.toBytes());
        }
    }

    AssignConcepts(ConceptSettings settings, Map<String, byte[]> initialModels) {
        this.flushSize = settings.assignerFlushSize();
        this.initialModels = new HashMap<>(initialModels);
    }

    @Override
    public void open(OpenContext openContext) {
        models = new HashMap<>();
    }

    @Override
    public void processElement(EmbeddingInput input, ReadOnlyContext ctx, Collector<LabelledPair> out)
            throws Exception {
        String key = input.pair().getTeacherModelId();
        ConceptModel model = model(key, ctx.getBroadcastState(MODELS));
        if (model == null) {
            ctx.output(UNLABELLED, input);
            return;
        }
        float[] prepared = Labelling.preparedOrRejected(input, model, key,
                letter -> ctx.output(Rejections.DEAD_LETTERS, letter));
        if (prepared == null) {
            return;
        }
        Label label = model.labelPrepared(prepared);
        out.collect(Labelling.labelled(input.pair(), label));
        Accumulator acc = accumulators.computeIfAbsent(key, k -> new Accumulator(model.version(),
                new BatchStatistics(model.k(), model.dim()), new WindowStatistics(model.k())));
        acc.batch.add(label.concept(), prepared, Labelling.eventTime(input.pair()));
        acc.window.observe(label.concept(), label.squaredDistance(), model.noveltyThreshold(), model.temperature());
        if (acc.batch.records() >= flushSize) {
            ctx.output(PARTIALS, acc.toPartial(key));
            accumulators.remove(key);
        }
    }

    @Override
    public void processBroadcastElement(CentroidSnapshot snapshot, Context ctx, Collector<LabelledPair> out)
            throws Exception {
        String key = snapshot.getTeacherModelId();
        ConceptModel current = model(key, ctx.getBroadcastState(MODELS));
        // the topic may hold older versions (an earlier run, a replay): only ever move forward
        if (current == null || snapshot.getVersion() > current.version()) {
            ConceptModel model = CentroidSnapshots.toModel(snapshot);
            ctx.getBroadcastState(MODELS).put(key, model.toBytes());
            models.put(key, model);
        }
    }

    /** The teacher's newest model: cached, else from the broadcast state, else from the initial snapshot. */
    private ConceptModel model(String key, ReadOnlyBroadcastState<String, byte[]> broadcast) throws Exception {
        ConceptModel model = models.get(key);
        if (model == null) {
            byte[] bytes = broadcast.get(key);
            if (bytes == null) {
                bytes = initialModels.get(key);
            }
            if (bytes != null) {
                model = ConceptModel.fromBytes(bytes);
                models.put(key, model);
            }
        }
        return model;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        accumulatorState.clear();
        for (Map.Entry<String, Accumulator> entry : accumulators.entrySet()) {
            accumulatorState.add(entry.getValue().toPartial(entry.getKey()));
        }
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        accumulatorState = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("unsent-partials", ConceptTypes.PARTIAL_UPDATE));
        accumulators = new HashMap<>();
        for (PartialUpdate partial : accumulatorState.get()) {
            Accumulator restored = new Accumulator(partial.baseVersion(), BatchStatistics.fromBytes(partial.batch()),
                    WindowStatistics.fromBytes(partial.window()));
            accumulators.merge(partial.teacherModelId(), restored, (a, b) -> {
                a.batch.merge(b.batch);
                a.window.merge(b.window);
                return a;
            });
        }
    }
}
