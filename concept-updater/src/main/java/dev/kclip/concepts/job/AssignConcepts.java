package dev.kclip.concepts.job;

import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.concepts.state.PartialStatistics;
import dev.kclip.concepts.stream.ConceptIds;
import dev.kclip.concepts.stream.EmbeddingInput;
import dev.kclip.concepts.stream.Labelling;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * One of P parallel assigners on the parallel path: labels records with the newest centroids it has been sent
 * (broadcast state, fed back from the snapshot topic), a mini-batch at a time, and accumulates what the update
 * needs into partial statistics, sent to the single updater every m / P records. Records of a teacher it has no model for yet go to
 * the updater unlabelled (the updater bootstraps and labels them).
 */
final class AssignConcepts extends BroadcastProcessFunction<EmbeddingInput[], CentroidSnapshot, LabelledPair>
        implements CheckpointedFunction {

    private static final long serialVersionUID = 1L;

    /** Broadcast state: teacher model id → newest snapshot. */
    static final MapStateDescriptor<String, CentroidSnapshot> MODELS = new MapStateDescriptor<>("concept-models",
            Types.STRING, ConceptTypes.CENTROID_SNAPSHOT);
    static final OutputTag<EmbeddingInput[]> UNLABELLED = new OutputTag<>("unlabelled", ConceptTypes.EMBEDDING_BATCH) {
        private static final long serialVersionUID = 1L;
    };
    static final OutputTag<PartialStatistics> PARTIALS = new OutputTag<>("partial-updates",
            ConceptTypes.PARTIAL_STATISTICS) {
        private static final long serialVersionUID = 1L;
    };

    private final int flushSize;
    private final double sampleRate;
    private final HashMap<String, byte[]> initialSnapshots;

    private transient Map<String, Labeller> labellers;
    private transient Map<String, Accumulator> accumulators;
    private transient ListState<PartialStatistics> accumulatorState;

    /** A teacher's newest model and its concept ids. */
    private record Labeller(ConceptModel model, List<Long> conceptIds) {
        static Labeller of(CentroidSnapshot snapshot) {
            return new Labeller(CentroidSnapshots.toModel(snapshot),
                    Arrays.stream(ConceptIds.of(snapshot)).boxed().toList());
        }
    }

    /** Statistics of the records labelled since the last flush, for one teacher. */
    private record Accumulator(long baseVersion, BatchStatistics batch, WindowStatistics window) {

        static Accumulator of(PartialStatistics partial) {
            return new Accumulator(partial.getBaseVersion(), BatchStatistics.fromState(partial.getBatch()),
                    WindowStatistics.fromState(partial.getWindow()));
        }

        PartialStatistics toPartial(String teacherModelId) {
            return new PartialStatistics(teacherModelId, baseVersion, batch.toState(), window.toState());
        }
    }

    /** @param initialSnapshots as {@link ConceptModelFunction}'s */
    AssignConcepts(ConceptSettings settings, Map<String, byte[]> initialSnapshots) {
        this.flushSize = settings.assignerFlushSize();
        this.sampleRate = settings.drift().sampleRate();
        this.initialSnapshots = new HashMap<>(initialSnapshots);
    }

    @Override
    public void open(OpenContext openContext) {
        labellers = new HashMap<>();
    }

    /** A mini-batch of one teacher's records ({@link BatchRecords}): labelled with one matrix product. */
    @Override
    public void processElement(EmbeddingInput[] batch, ReadOnlyContext ctx, Collector<LabelledPair> out)
            throws Exception {
        String key = batch[0].pair().getTeacherModelId();
        Labeller labeller = labeller(key, ctx.getBroadcastState(MODELS));
        if (labeller == null) {
            ctx.output(UNLABELLED, batch);
            return;
        }
        ConceptModel model = labeller.model();
        List<EmbeddingInput> usable = new ArrayList<>(batch.length);
        List<float[]> prepared = new ArrayList<>(batch.length);
        for (EmbeddingInput input : batch) {
            float[] x = Labelling.preparedOrRejected(input, model, key,
                    letter -> ctx.output(Rejections.DEAD_LETTERS, letter));
            if (x != null) {
                usable.add(input);
                prepared.add(x);
            }
        }
        List<Label> labels = model.labelPrepared(prepared);
        Instant now = Instant.now();
        for (int i = 0; i < usable.size(); i++) {
            EmbeddingInput input = usable.get(i);
            Label label = labels.get(i);
            out.collect(Labelling.labelled(input.pair(), label, labeller.conceptIds(), now));
            Accumulator previous = accumulators.get(key);
            if (previous != null && previous.baseVersion() != model.version()) {
                // a partial holds one version's labels (its rows mean that version's concepts): send the old one first
                ctx.output(PARTIALS, previous.toPartial(key));
                accumulators.remove(key);
            }
            Accumulator acc = accumulators.computeIfAbsent(key, k -> new Accumulator(model.version(),
                    new BatchStatistics(model.k(), model.dim()), new WindowStatistics(model.k())));
            acc.batch().add(label.concept(), prepared.get(i), Labelling.eventTime(input.pair()));
            Labelling.observe(acc.window(), label, prepared.get(i), Labelling.eventTime(input.pair()),
                    model.noveltyThreshold(), model.temperature(), sampleRate);
            if (acc.batch().records() >= flushSize) {
                ctx.output(PARTIALS, acc.toPartial(key));
                accumulators.remove(key);
            }
        }
    }

    @Override
    public void processBroadcastElement(CentroidSnapshot snapshot, Context ctx, Collector<LabelledPair> out)
            throws Exception {
        String key = snapshot.getTeacherModelId();
        Labeller current = labeller(key, ctx.getBroadcastState(MODELS));
        // the topic may hold older versions (an earlier run, a replay): only ever move forward
        if (current == null || snapshot.getVersion() > current.model().version()) {
            ctx.getBroadcastState(MODELS).put(key, snapshot);
            labellers.put(key, Labeller.of(snapshot));
        }
    }

    /** The teacher's newest model: cached, else from the broadcast state, else from the initial snapshot. */
    private Labeller labeller(String key, ReadOnlyBroadcastState<String, CentroidSnapshot> broadcast)
            throws Exception {
        Labeller labeller = labellers.get(key);
        if (labeller == null) {
            CentroidSnapshot snapshot = broadcast.get(key);
            if (snapshot == null && initialSnapshots.containsKey(key)) {
                snapshot = AvroCodec.forClass(CentroidSnapshot.class).decode(initialSnapshots.get(key));
            }
            if (snapshot != null) {
                labeller = Labeller.of(snapshot);
                labellers.put(key, labeller);
            }
        }
        return labeller;
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
                new ListStateDescriptor<>("unsent-partials", ConceptTypes.PARTIAL_STATISTICS));
        accumulators = new HashMap<>();
        for (PartialStatistics partial : accumulatorState.get()) {
            accumulators.merge(partial.getTeacherModelId(), Accumulator.of(partial), (a, b) -> {
                a.batch().merge(b.batch());
                a.window().merge(b.window());
                return a;
            });
        }
    }
}
