package dev.kclip.concepts.stream;

import dev.kclip.concepts.drift.DriftMonitor;
import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.lifecycle.ConceptEvent;
import dev.kclip.concepts.lifecycle.NovelRecord;
import dev.kclip.concepts.state.BufferedRecord;
import dev.kclip.concepts.state.ConceptEventState;
import dev.kclip.concepts.state.ConceptStreamState;
import dev.kclip.concepts.state.NovelRecordState;
import dev.kclip.concepts.state.PendingVectorState;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.schemas.serde.SchemaCatalog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * What a {@link ConceptStream} remembers for one teacher, mutable: the model and its concept ids, the drift
 * monitor, the bootstrap buffer, the pending mini-batch, the merged partial statistics, and the life cycle's
 * novelty buffer, row layout (since, low-since, captions), events not yet reported, target entropy and spread. This is the concept
 * model operator's keyed state; {@link #encode}/{@link #decode} are its one format (Avro single-object encoding of
 * {@code ConceptStreamState}, {@code src/main/avro/ConceptState.avsc}).
 */
public final class ConceptState {

    /** Where the earlier writer schemas of the state are bundled. */
    static final String HISTORY = "/dev/kclip/concepts/state/history/";
    // writers this code reads: when ConceptState.avsc changes, keep the previous schema in this list (v1: before
    // the concept life cycle)
    private static final AvroCodec<ConceptStreamState> CODEC = AvroCodec.forClass(ConceptStreamState.class,
            SchemaCatalog.of(List.of(ConceptStreamState.getClassSchema(), SchemaCatalog.writerSchema(
                    ConceptState.class, HISTORY + "ConceptStreamState-v1.avsc"))));
    private static final AvroCodec<EmbeddedPair> PAIRS = AvroCodec.forClass(EmbeddedPair.class);

    ConceptModel model;
    List<Long> conceptIds = List.of(); // immutable: labels share it until a re-seed replaces it
    long nextConceptId;
    DriftMonitor monitor;
    final List<EmbeddingInput> bootstrap = new ArrayList<>();
    final List<PendingVector> pending = new ArrayList<>();
    BatchStatistics partialBatch;
    WindowStatistics partialWindow;
    final List<NovelRecord> novelty = new ArrayList<>();
    long[] since = new long[0];
    long[] lowSince = new long[0];
    List<List<String>> captions = List.of();
    final List<ConceptEvent> events = new ArrayList<>();
    double targetEntropy;
    double spread;
    long droppedPartialRecords;
    /** The drift monitor's τ: the scale its distance histograms are binned at (fixed while τ follows entropy). */
    double scale;

    private ConceptState() {
    }

    /** A teacher seen for the first time: bootstraps from its first B records. */
    public static ConceptState empty() {
        return new ConceptState();
    }

    /**
     * Continues from a snapshot ({@code --init-from-snapshot}): its model, version and concept ids. A snapshot
     * written before concept ids existed (empty {@code conceptIds}) numbers its concepts 0..K−1; the next fresh id
     * is one above the largest in use (ids only ever grow, so that one was never used).
     */
    public static ConceptState fromSnapshot(CentroidSnapshot snapshot) {
        ConceptState state = new ConceptState();
        state.model = CentroidSnapshots.toModel(snapshot);
        state.conceptIds = Arrays.stream(ConceptIds.of(snapshot)).boxed().toList();
        state.nextConceptId = state.conceptIds.stream().mapToLong(Long::longValue).max().orElse(-1) + 1;
        state.fillLayout();
        return state;
    }

    /**
     * Gives a model restored without its life-cycle fields (a snapshot, or state written before them) a layout:
     * every row's concept known since version 0, none low, no captions; spread from τ.
     */
    private void fillLayout() {
        if (model == null || since.length == model.k()) {
            return;
        }
        since = new long[model.k()];
        lowSince = new long[model.k()];
        Arrays.fill(lowSince, -1);
        captions = Collections.nCopies(model.k(), List.of());
        if (spread == 0) {
            spread = model.temperature();
        }
    }

    /** The current model, or null before the bootstrap. */
    public ConceptModel model() {
        return model;
    }

    /** The stable id of every concept in row order (empty before the bootstrap). */
    public List<Long> conceptIds() {
        return conceptIds;
    }

    /** The id the next re-seeded concept will get. */
    public long nextConceptId() {
        return nextConceptId;
    }

    /** Records waiting in the novelty buffer. */
    public int novel() {
        return novelty.size();
    }

    /** Records of parallel partial updates dropped as stale so far (see {@code StalePartials}). */
    public long droppedPartialRecords() {
        return droppedPartialRecords;
    }

    /** The version at which each row's concept got its id. */
    public long[] since() {
        return since.clone();
    }

    /** The captions naming each row's concept (empty lists where unknown). */
    public List<List<String>> captions() {
        return captions;
    }

    /** The typical d² of a record to its own concept, as the life-cycle rules measure it. */
    public double spread() {
        return spread;
    }

    /** The mean label entropy τ is kept at (0 before it is measured). */
    public double targetEntropy() {
        return targetEntropy;
    }

    /** Records waiting for the bootstrap. */
    public int buffered() {
        return bootstrap.size();
    }

    /** This state in its one format (see the module README, "State"). */
    public byte[] encode() {
        List<BufferedRecord> buffered = new ArrayList<>(bootstrap.size());
        for (EmbeddingInput input : bootstrap) {
            buffered.add(new BufferedRecord(ByteBuffer.wrap(PAIRS.encode(input.pair())), input.sourceTopic(),
                    input.sourcePartition(), input.sourceOffset()));
        }
        List<PendingVectorState> batch = new ArrayList<>(pending.size());
        for (PendingVector v : pending) {
            batch.add(new PendingVectorState(v.concept(), v.squaredDistance(), Float32Vectors.encode(v.prepared()),
                    v.eventTime(), v.entropy(), v.topProbability()));
        }
        return CODEC.encode(new ConceptStreamState(model == null ? null : model.toState(),
                conceptIds, nextConceptId,
                monitor == null ? null : monitor.toState(), buffered, batch,
                partialBatch == null ? null : partialBatch.toState(),
                partialWindow == null ? null : partialWindow.toState(),
                novelty.stream().map(r -> new NovelRecordState(Float32Vectors.encode(r.prepared()),
                        r.caption(), r.eventTime(), r.record())).toList(),
                Arrays.stream(since).boxed().toList(), Arrays.stream(lowSince).boxed().toList(), captions,
                events.stream().map(ConceptState::eventState).toList(), targetEntropy, spread,
                droppedPartialRecords));
    }

    /**
     * Reads what {@link #encode} wrote (or the previous format, {@code state/history/ConceptStreamState-v1.avsc}).
     * The drift monitor's false-alarm rates are not stored: {@link ConceptStream} sets the configured ones.
     */
    public static ConceptState decode(byte[] bytes) {
        ConceptStreamState stored = CODEC.decode(bytes);
        ConceptState state = new ConceptState();
        state.model = stored.getModel() == null ? null : ConceptModel.fromState(stored.getModel());
        state.conceptIds = List.copyOf(stored.getConceptIds());
        state.nextConceptId = stored.getNextConceptId();
        state.monitor = stored.getMonitor() == null ? null
                : DriftMonitor.fromState(stored.getMonitor(), DriftSettings.defaults());
        state.scale = stored.getMonitor() == null ? 0 : stored.getMonitor().getTau();
        for (BufferedRecord record : stored.getBootstrap()) {
            byte[] pair = new byte[record.getPair().remaining()];
            record.getPair().duplicate().get(pair);
            state.bootstrap.add(new EmbeddingInput(PAIRS.decode(pair), record.getSourceTopic(),
                    record.getSourcePartition(), record.getSourceOffset()));
        }
        for (PendingVectorState v : stored.getPending()) {
            float[] prepared = Float32Vectors.decode(v.getPrepared(), v.getPrepared().remaining() / Float.BYTES);
            state.pending.add(new PendingVector(v.getConcept(), v.getSquaredDistance(), prepared,
                    v.getEventTime(), v.getEntropy(), v.getTopProbability()));
        }
        state.partialBatch = stored.getPartialBatch() == null ? null
                : BatchStatistics.fromState(stored.getPartialBatch());
        state.partialWindow = stored.getPartialWindow() == null ? null
                : WindowStatistics.fromState(stored.getPartialWindow());
        for (NovelRecordState r : stored.getNovelty()) {
            state.novelty.add(new NovelRecord(Float32Vectors.decode(r.getPrepared(),
                    r.getPrepared().remaining() / Float.BYTES), r.getCaption(), r.getEventTime(), r.getRecord()));
        }
        state.since = stored.getSince().stream().mapToLong(Long::longValue).toArray();
        state.lowSince = stored.getLowSince().stream().mapToLong(Long::longValue).toArray();
        state.captions = stored.getCaptions().stream().map(List::copyOf).toList();
        for (ConceptEventState e : stored.getEvents()) {
            state.events.add(new ConceptEvent(ConceptEvent.Kind.valueOf(e.getKind()), e.getConceptId(), e.getRow(),
                    e.getVersion(), e.getEventTime(), e.getWeight(), e.getIntoConceptId(), e.getCaptions()));
        }
        state.targetEntropy = stored.getTargetEntropy();
        state.spread = stored.getSpread();
        state.droppedPartialRecords = stored.getDroppedPartialRecords();
        state.fillLayout();
        return state;
    }

    private static ConceptEventState eventState(ConceptEvent e) {
        return new ConceptEventState(e.kind().name(), e.conceptId(), e.row(), e.version(), e.eventTime(), e.weight(),
                e.intoConceptId(), e.captions());
    }
}
