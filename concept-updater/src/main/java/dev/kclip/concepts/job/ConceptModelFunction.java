package dev.kclip.concepts.job;

import dev.kclip.concepts.state.PartialStatistics;
import dev.kclip.concepts.stream.ConceptState;
import dev.kclip.concepts.stream.ConceptStream;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The Flink shell around {@link ConceptStream}, keyed by teacher model id: takes the key's {@link ConceptState}
 * out of keyed state, hands it the mini-batch of records or the partial update, puts the state back, and forwards what the stream
 * produced to the main output (labels) and the side outputs (snapshots, drift reports, dead letters). A timer at
 * the end of event time calls {@link ConceptStream#endOfInput} on a bounded input.
 */
final class ConceptModelFunction extends KeyedProcessFunction<String, ModelInput, LabelledPair> {

    private static final long serialVersionUID = 1L;

    static final OutputTag<CentroidSnapshot> SNAPSHOTS = new OutputTag<>("centroid-snapshots",
            ConceptTypes.CENTROID_SNAPSHOT) {
        private static final long serialVersionUID = 1L;
    };
    static final OutputTag<DriftReport> DRIFT_REPORTS = new OutputTag<>("drift-reports", ConceptTypes.DRIFT_REPORT) {
        private static final long serialVersionUID = 1L;
    };

    private final ConceptSettings settings;
    private final HashMap<String, byte[]> initialSnapshots;

    private transient ValueState<ConceptState> state;
    private transient AvroCodec<CentroidSnapshot> snapshotCodec;
    private transient Counter stalePartialRecords;

    /**
     * @param initialSnapshots snapshots to start from per teacher model id ({@code --init-from-snapshot}), Avro
     *     single-object encoded as on the centroids topic; state restored from a checkpoint takes precedence
     */
    ConceptModelFunction(ConceptSettings settings, Map<String, byte[]> initialSnapshots) {
        this.settings = settings;
        this.initialSnapshots = new HashMap<>(initialSnapshots);
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("concept-stream",
                new ConceptStateSerializer()));
        snapshotCodec = AvroCodec.forClass(CentroidSnapshot.class);
        // records of parallel partial updates dropped because their concept changed since (StalePartials)
        stalePartialRecords = getRuntimeContext().getMetricGroup().counter("stalePartialRecords");
    }

    @Override
    public void processElement(ModelInput input, Context ctx, Collector<LabelledPair> out) throws Exception {
        ConceptStream stream = stream(ctx.getCurrentKey());
        Forward forward = new Forward(ctx, out);
        PartialStatistics partial = input.partial();
        if (partial != null) {
            long dropped = stream.state().droppedPartialRecords();
            stream.onPartial(partial, Instant.now(), forward);
            stalePartialRecords.inc(stream.state().droppedPartialRecords() - dropped);
        } else {
            stream.onRecords(Arrays.asList(input.records()), Instant.now(), forward);
        }
        state.update(stream.state());
        if (stream.hasWaitingRecords()) {
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabelledPair> out) throws Exception {
        // end of a bounded input: bootstrap from what there is, and fold the last partial batch in
        ConceptStream stream = stream(ctx.getCurrentKey());
        stream.endOfInput(Instant.now(), new Forward(ctx, out));
        state.update(stream.state());
    }

    /** The key's stream: on its state, else on the initial snapshot, else fresh. */
    private ConceptStream stream(String key) throws Exception {
        ConceptState current = state.value();
        if (current == null) {
            byte[] initial = initialSnapshots.get(key);
            current = initial == null ? ConceptState.empty()
                    : ConceptState.fromSnapshot(snapshotCodec.decode(initial));
        }
        return new ConceptStream(key, settings, current);
    }

    /** The stream's outputs to the operator's outputs. */
    private static final class Forward implements ConceptStream.Outputs {
        private final KeyedProcessFunction<String, ModelInput, LabelledPair>.Context ctx;
        private final Collector<LabelledPair> out;

        Forward(KeyedProcessFunction<String, ModelInput, LabelledPair>.Context ctx, Collector<LabelledPair> out) {
            this.ctx = ctx;
            this.out = out;
        }

        @Override
        public void label(LabelledPair label) {
            out.collect(label);
        }

        @Override
        public void snapshot(CentroidSnapshot snapshot) {
            ctx.output(SNAPSHOTS, snapshot);
        }

        @Override
        public void drift(DriftReport report) {
            ctx.output(DRIFT_REPORTS, report);
        }

        @Override
        public void rejected(DeadLetter letter) {
            ctx.output(Rejections.DEAD_LETTERS, letter);
        }
    }
}
