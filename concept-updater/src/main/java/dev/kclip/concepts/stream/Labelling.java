package dev.kclip.concepts.stream;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.concepts.drift.DriftSummary;
import dev.kclip.concepts.drift.DriftThresholds;
import dev.kclip.concepts.drift.LabelSharpness;
import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.concepts.lifecycle.ConceptEvent;
import dev.kclip.schemas.ConceptEventKind;
import dev.kclip.schemas.ConceptShare;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.DriftThresholdValues;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.serde.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/** Builds the job's output records (labels, drift reports, dead letters) from what the plain classes compute. */
public final class Labelling {

    private static final AvroCodec<EmbeddedPair> PAIRS = AvroCodec.forClass(EmbeddedPair.class);

    private Labelling() {
    }

    /** The raw embedding of a validated record. */
    public static float[] vector(EmbeddedPair pair) {
        return Float32Vectors.decode(pair.getEmbedding(), pair.getDim());
    }

    /**
     * The record's embedding prepared for {@code model}'s geometry; null when its dimension is not the model's, after
     * handing {@code rejected} the dead letter that says so.
     */
    public static float[] preparedOrRejected(EmbeddingInput input, ConceptModel model, String teacher,
            Consumer<DeadLetter> rejected) {
        float[] x = vector(input.pair());
        if (x.length != model.dim()) {
            rejected.accept(rejected(input, RejectReason.DIMENSION_MISMATCH, "embedding has " + x.length
                    + " values but teacher " + teacher + "'s concept model has dimension " + model.dim()));
            return null;
        }
        return model.distance().prepare(x);
    }

    /** The record's event time for decay and drift windows: when the teacher embedded it. */
    public static long eventTime(EmbeddedPair pair) {
        return pair.getEmbeddedTime().toEpochMilli();
    }

    /** The labelled record: {@code label} made at {@code now} by a model whose concepts have {@code conceptIds}. */
    public static LabelledPair labelled(EmbeddedPair pair, Label label, List<Long> conceptIds, Instant now) {
        return LabelledPair.newBuilder()
                .setEmbedded(pair)
                .setSoftLabel(Float32Vectors.encode(label.probabilities()))
                .setConceptCount(label.probabilities().length)
                .setTopConcept(label.concept())
                .setCentroidVersion(label.version())
                .setLabelledTime(now)
                .setConceptIds(conceptIds)
                .build();
    }

    /**
     * Counts one labelled record into drift statistics: its concept and d² (histogram on the scale {@code scale}, the
     * bootstrap τ), its label's sharpness, its vector into the window's sample.
     */
    public static void observe(WindowStatistics window, Label label, float[] prepared, long eventTime,
            double noveltyThreshold, double scale, double sampleRate) {
        window.observe(label.concept(), label.squaredDistance(), noveltyThreshold, scale);
        window.observeSharpness(LabelSharpness.entropy(label.probabilities()),
                LabelSharpness.top(label.probabilities()));
        window.sample(prepared, eventTime, sampleRate);
    }

    /**
     * The drift report of one closed window, created at {@code now}; {@code conceptIds} are the stable ids of the
     * concepts (row order) that name the rising and falling ones; {@code events} the concept events since the
     * previous report (a born concept's share: the window's records labelled with its row).
     */
    public static DriftReport report(String teacherModelId, DriftSummary summary, List<Long> conceptIds,
            List<ConceptEvent> events, Instant now) {
        DriftThresholds t = summary.thresholds();
        long[] counts = summary.conceptCounts();
        List<dev.kclip.schemas.ConceptEvent> reported = events.stream().map(e -> dev.kclip.schemas.ConceptEvent
                .newBuilder()
                .setKind(ConceptEventKind.valueOf(e.kind().name()))
                .setConceptId(e.conceptId())
                .setRow(e.row())
                .setCentroidVersion(e.version())
                .setEventTime(Instant.ofEpochMilli(e.eventTime()))
                .setWeight(e.weight())
                .setShare(e.kind() == ConceptEvent.Kind.BORN && e.row() < counts.length && summary.records() > 0
                        ? counts[e.row()] / (double) summary.records() : 0)
                .setIntoConceptId(e.intoConceptId())
                .setCaptions(e.captions())
                .build()).toList();
        return DriftReport.newBuilder()
                .setTeacherModelId(teacherModelId)
                .setWindow(summary.window())
                .setWindowStart(Instant.ofEpochMilli(summary.windowStart()))
                .setWindowEnd(Instant.ofEpochMilli(summary.windowEnd()))
                .setRecords(summary.records())
                .setConceptCounts(Arrays.stream(summary.conceptCounts()).boxed().toList())
                .setJsDivergence(summary.jsDivergence())
                .setCentroidDisplacement(summary.centroidDisplacement())
                .setNoveltyRate(summary.noveltyRate())
                .setReseeded(summary.reseeded())
                .setLevel(summary.level())
                .setCentroidVersion(summary.centroidVersion())
                .setCreatedTime(now)
                .setConceptEvents(reported)
                .setMmd(finiteOrNull(summary.mmd()))
                .setMeanEntropy(finiteOrNull(summary.meanEntropy()))
                .setMeanTopProbability(finiteOrNull(summary.meanTopProbability()))
                .setThresholds(t == null ? null : new DriftThresholdValues(t.jsWarn(), t.jsAlert(), t.noveltyWarn(),
                        t.noveltyAlert(), finiteOrNull(t.mmdWarn()), finiteOrNull(t.mmdAlert())))
                .setReasons(summary.reasons())
                .setRising(shifts(summary.rising(), conceptIds))
                .setFalling(shifts(summary.falling(), conceptIds))
                .build();
    }

    private static List<ConceptShare> shifts(List<DriftSummary.ConceptShift> shifts, List<Long> conceptIds) {
        return shifts.stream().map(s -> new ConceptShare(s.concept(),
                s.concept() < conceptIds.size() ? conceptIds.get(s.concept()) : s.concept(), s.share(),
                s.referenceShare(), s.captions())).toList();
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** A dead letter for a record that already decoded: its value is re-encoded with the current schema. */
    public static DeadLetter rejected(EmbeddingInput input, RejectReason reason, String message) {
        EmbeddedPair pair = input.pair();
        String id = pair.getPair().getId();
        return DeadLetters.of(id.getBytes(StandardCharsets.UTF_8), PAIRS.encode(pair), input.sourceTopic(),
                input.sourcePartition(), input.sourceOffset(), RejectReason.STAGE, reason,
                message + " (value re-encoded from the decoded record)", id);
    }
}
