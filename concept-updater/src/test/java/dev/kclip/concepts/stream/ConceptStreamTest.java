package dev.kclip.concepts.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.bench.Agreement;
import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.drift.WindowStatistics;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.kmeans.BatchStatistics;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.Decay;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.Label;
import dev.kclip.concepts.kmeans.OnlineSettings;
import dev.kclip.concepts.lifecycle.LifecycleSettings;
import dev.kclip.concepts.lifecycle.Temperature;
import dev.kclip.concepts.state.ConceptStreamState;
import dev.kclip.concepts.state.PartialStatistics;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.GaussianClusters;
import dev.kclip.schemas.AvroBytes;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.ConceptEventKind;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftLevel;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.serde.SchemaCatalog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/** {@link ConceptStream} by method calls alone: no Flink, no Kafka. */
class ConceptStreamTest {

    private static final Instant NOW = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final int K = 3;
    private static final int D = 16;

    /** Collects what a stream outputs. */
    private static final class Collected implements ConceptStream.Outputs {
        final List<LabelledPair> labels = new ArrayList<>();
        final List<CentroidSnapshot> snapshots = new ArrayList<>();
        final List<DriftReport> reports = new ArrayList<>();
        final List<DeadLetter> rejected = new ArrayList<>();

        @Override
        public void label(LabelledPair label) {
            labels.add(label);
        }

        @Override
        public void snapshot(CentroidSnapshot snapshot) {
            snapshots.add(snapshot);
        }

        @Override
        public void drift(DriftReport report) {
            reports.add(report);
        }

        @Override
        public void rejected(DeadLetter letter) {
            rejected.add(letter);
        }
    }

    private final GaussianClusters clusters = new GaussianClusters(K, D, 0.02, 5);

    private static ConceptSettings settings(int bootstrap, int batch, int window, OnlineSettings online) {
        return new ConceptSettings(KMeansSettings.defaults(K), online,
                new DriftSettings(window, 0, 0.02, 0.01, 0.05), bootstrap, batch, 1, 0,
                LifecycleSettings.defaults());
    }

    private static ConceptSettings settings() {
        return settings(60, 20, 100, OnlineSettings.defaults());
    }

    /** Record {@code i} of a stream: a vector of {@code vectors}, embedded at i seconds. */
    private static EmbeddingInput record(int i, float[] vector) {
        return new EmbeddingInput(Embeddings.pair(Embeddings.id(i), vector, 1_000L * i), "input", 0, i);
    }

    private List<EmbeddingInput> records(int from, int n, int clusterFrom, int clusterTo) {
        List<float[]> vectors = clusters.sample(n, clusterFrom, clusterTo).vectors();
        List<EmbeddingInput> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(record(from + i, vectors.get(i)));
        }
        return out;
    }

    private static void feed(ConceptStream stream, List<EmbeddingInput> records, Collected out) {
        records.forEach(r -> stream.onRecord(r, NOW, out));
    }

    @Test
    void bootstrapsAfterBRecordsAndLabelsThemAll() {
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, settings(), ConceptState.empty());
        Collected out = new Collected();
        List<EmbeddingInput> input = records(0, 60, 0, K);
        feed(stream, input.subList(0, 59), out);
        assertTrue(out.labels.isEmpty(), "no label before B records");
        assertEquals(59, stream.state().buffered());
        assertTrue(stream.hasWaitingRecords());

        stream.onRecord(input.get(59), NOW, out);
        assertEquals(60, out.labels.size());
        assertEquals(0, stream.state().buffered());
        assertEquals(1, out.snapshots.size());
        CentroidSnapshot first = out.snapshots.get(0);
        assertEquals(1, first.getVersion());
        assertEquals(List.of(0L, 1L, 2L), first.getConceptIds());
        assertEquals(K, stream.state().nextConceptId());
        for (LabelledPair label : out.labels) {
            float[] p = Float32Vectors.decode(label.getSoftLabel(), label.getConceptCount());
            double sum = 0;
            for (float v : p) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-5);
            assertEquals(1, label.getCentroidVersion());
            assertEquals(List.of(0L, 1L, 2L), label.getConceptIds());
            assertEquals(NOW, label.getLabelledTime());
        }
    }

    @Test
    void labelsLikeTheTruthAndTheVersionGrowsByOnePerBatch() {
        GaussianClusters.Sample sample = clusters.sample(300);
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, settings(), ConceptState.empty());
        Collected out = new Collected();
        for (int i = 0; i < 300; i++) {
            stream.onRecord(record(i, sample.vectors().get(i)), NOW, out);
        }
        assertEquals(300, out.labels.size());
        int[] predicted = out.labels.stream().mapToInt(LabelledPair::getTopConcept).toArray();
        assertEquals(1.0, Agreement.adjustedRandIndex(sample.truth(), predicted), 1e-12);
        // bootstrap = version 1, then one update per 20 labelled records: (300 - 60) / 20 = 12
        List<Long> versions = out.snapshots.stream().map(CentroidSnapshot::getVersion).toList();
        assertEquals(LongStream.rangeClosed(1, 13).boxed().toList(), versions);
        assertEquals(13, stream.state().model().version());
        // record 60 was labelled by version 1, record 80 by version 2
        assertEquals(1, out.labels.get(79).getCentroidVersion());
        assertEquals(2, out.labels.get(80).getCentroidVersion());
        assertFalse(stream.hasWaitingRecords(), "the last record completed a batch");
    }

    @Test
    void rejectsAnOtherDimensionAndEndOfInputDeadLettersTooFew() {
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, settings(), ConceptState.empty());
        Collected out = new Collected();
        stream.onRecord(record(0, new float[] {1, 2, 3}), NOW, out);
        feed(stream, records(1, 2, 0, K), out);
        stream.endOfInput(NOW, out);
        assertTrue(out.labels.isEmpty());
        assertEquals(List.of(RejectReason.DIMENSION_MISMATCH.name(), RejectReason.TOO_FEW_TO_BOOTSTRAP.name(),
                RejectReason.TOO_FEW_TO_BOOTSTRAP.name()), out.rejected.stream().map(DeadLetter::getReasonCode)
                .toList());
        assertEquals(RejectReason.STAGE, out.rejected.get(0).getStage());
        assertFalse(stream.hasWaitingRecords());
    }

    @Test
    void endOfInputBootstrapsAShortBufferAndFoldsTheLastBatchIn() {
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, settings(), ConceptState.empty());
        Collected out = new Collected();
        feed(stream, records(0, 30, 0, K), out);
        stream.endOfInput(NOW, out);
        assertEquals(30, out.labels.size());
        feed(stream, records(30, 5, 0, K), out);
        assertEquals(1, out.snapshots.size());
        stream.endOfInput(NOW, out);
        assertEquals(2, out.snapshots.size());
        assertEquals(5, out.snapshots.get(1).getRecordsSeen() - out.snapshots.get(0).getRecordsSeen());
    }

    @Test
    void driftReportsAreOkWhileTheMixHoldsAndAlertWhenItChanges() {
        // the concept set held fixed, so the JS is judged in the window of the change (with the life cycle on, the
        // new cluster's concept is born in it and the JS waits for the mix to settle; novelty and MMD still alert)
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, settings()
                .withLifecycle(LifecycleSettings.defaults().withMaxConcepts(K).withMergeRatio(0).withRetire(0, 0)),
                ConceptState.empty());
        Collected out = new Collected();
        // clusters 0 and 1 only, then cluster 2 only: the mix moves entirely
        feed(stream, records(0, 560, 0, 2), out);
        int before = out.reports.size();
        assertTrue(before >= 5, before + " reports");
        assertTrue(out.reports.stream().allMatch(r -> r.getLevel() == DriftLevel.OK), out.reports.toString());
        assertTrue(out.reports.stream().allMatch(r -> r.getRecords() == 100), "windows of exactly 100 records");
        feed(stream, records(560, 200, 2, 3), out);
        DriftReport alert = out.reports.get(before);
        assertEquals(DriftLevel.ALERT, alert.getLevel());
        // why, and what: every statistic beyond its calibrated alert level, the new cluster's concept rising
        assertTrue(alert.getReasons().stream().anyMatch(r -> r.startsWith("js ") && r.contains("> alert")),
                alert.getReasons().toString());
        assertTrue(alert.getMmd() > alert.getThresholds().getMmdAlert(), alert.toString());
        int risen = alert.getRising().get(0).getConcept();
        // the bootstrap saw two clusters in three concepts: the new cluster's records take one or two of them
        assertTrue(alert.getConceptCounts().get(risen) >= 50, alert.getConceptCounts().toString());
        assertEquals(alert.getConceptCounts().get(risen) / 100.0, alert.getRising().get(0).getShare(), 1e-12);
        assertEquals(stream.state().conceptIds().get(risen), alert.getRising().get(0).getConceptId());
        assertEquals(3, alert.getRising().get(0).getCaptions().size());
        assertTrue(alert.getRising().get(0).getCaptions().get(0).startsWith("caption "));
        assertTrue(alert.getMeanTopProbability() > 0 && alert.getMeanTopProbability() <= 1);
        assertTrue(alert.getMeanEntropy() >= 0 && alert.getMeanEntropy() <= Math.log(K));
        assertEquals(LongStream.range(0, out.reports.size()).boxed().toList(),
                out.reports.stream().map(DriftReport::getWindow).toList());
    }

    /**
     * Half-life of 20 records and a high re-seed ratio: a concept that gets no records dies and is re-seeded (no
     * merges or retirements, which would otherwise take the dying concepts first).
     */
    private static ConceptSettings reseeding() {
        return settings(60, 20, 100, new OnlineSettings(Decay.halfLifeRecords(20), 0.05, 7))
                .withLifecycle(LifecycleSettings.defaults().withMergeRatio(0).withRetire(0, 0));
    }

    @Test
    void reseededConceptsGetFreshIdsAndTheOthersKeepTheirs() {
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, reseeding(), ConceptState.empty());
        Collected out = new Collected();
        feed(stream, records(0, 60, 0, K), out);
        feed(stream, records(60, 1_000, 0, 1), out); // only cluster 0 from here on
        int reseeds = 0;
        Set<Long> used = new HashSet<>(out.snapshots.get(0).getConceptIds());
        for (int s = 1; s < out.snapshots.size(); s++) {
            List<Long> before = out.snapshots.get(s - 1).getConceptIds();
            CentroidSnapshot snapshot = out.snapshots.get(s);
            List<Long> after = snapshot.getConceptIds();
            for (int c = 0; c < K; c++) {
                if (snapshot.getReseeded().contains(c)) {
                    reseeds++;
                    assertTrue(used.add(after.get(c)), "id " + after.get(c) + " used before");
                    assertEquals(Long.valueOf(used.size() - 1), after.get(c), "ids are handed out in order");
                } else {
                    assertEquals(before.get(c), after.get(c), "concept " + c + " kept its id");
                }
            }
        }
        assertTrue(reseeds >= 2, reseeds + " re-seeds");
        assertEquals(used.size(), stream.state().nextConceptId());
        // labels carry the ids of the version that made them
        for (LabelledPair label : out.labels) {
            CentroidSnapshot made = out.snapshots.get((int) label.getCentroidVersion() - 1);
            assertEquals(made.getConceptIds(), label.getConceptIds());
        }
    }

    @Test
    void batchedRecordsGiveTheRecordByRecordOutputs() {
        // batches of 23 and windows of 50 cut updates at both; re-seeds; wrong-dimension records in between
        ConceptSettings settings = settings(60, 23, 50, new OnlineSettings(Decay.halfLifeRecords(20), 0.05, 7));
        List<EmbeddingInput> input = new ArrayList<>(records(0, 100, 0, K));
        input.addAll(records(100, 500, 0, 1));
        for (int i = 70; i < input.size(); i += 97) {
            input.add(i, record(10_000 + i, new float[] {1, 2, 3}));
        }
        ConceptStream single = new ConceptStream(Embeddings.TEACHER, settings, ConceptState.empty());
        Collected expected = new Collected();
        feed(single, input, expected);

        ConceptStream batched = new ConceptStream(Embeddings.TEACHER, settings, ConceptState.empty());
        Collected actual = new Collected();
        int[] sizes = {1, 7, 64, 256, 3, 40};
        for (int from = 0, s = 0; from < input.size(); s++) {
            int to = Math.min(input.size(), from + sizes[s % sizes.length]);
            batched.onRecords(input.subList(from, to), NOW, actual);
            from = to;
        }

        assertEquals(expected.labels.size(), actual.labels.size());
        for (int i = 0; i < expected.labels.size(); i++) {
            LabelledPair e = expected.labels.get(i);
            LabelledPair a = actual.labels.get(i);
            assertEquals(e.getEmbedded().getPair().getId(), a.getEmbedded().getPair().getId());
            assertEquals(e.getTopConcept(), a.getTopConcept(), "label " + i);
            assertEquals(e.getCentroidVersion(), a.getCentroidVersion(), "label " + i);
            assertEquals(e.getConceptIds(), a.getConceptIds(), "label " + i);
            float[] pe = Float32Vectors.decode(e.getSoftLabel(), K);
            float[] pa = Float32Vectors.decode(a.getSoftLabel(), K);
            for (int c = 0; c < K; c++) {
                assertEquals(pe[c], pa[c], 1e-4, "label " + i);
            }
        }
        assertEquals(expected.snapshots.stream().map(CentroidSnapshot::getVersion).toList(),
                actual.snapshots.stream().map(CentroidSnapshot::getVersion).toList());
        assertEquals(expected.snapshots.stream().map(CentroidSnapshot::getRecordsSeen).toList(),
                actual.snapshots.stream().map(CentroidSnapshot::getRecordsSeen).toList());
        assertEquals(expected.snapshots.stream().map(CentroidSnapshot::getReseeded).toList(),
                actual.snapshots.stream().map(CentroidSnapshot::getReseeded).toList());
        assertTrue(actual.snapshots.stream().anyMatch(snapshot -> !snapshot.getReseeded().isEmpty()));
        ConceptModel e = single.state().model();
        ConceptModel a = batched.state().model();
        for (int c = 0; c < K; c++) {
            float[] ce = e.centroids().mean(c);
            float[] ca = a.centroids().mean(c);
            for (int j = 0; j < D; j++) {
                assertEquals(ce[j], ca[j], 1e-4, "centroid " + c);
            }
        }
        assertEquals(expected.reports.stream().map(r -> List.of(r.getWindow(), r.getRecords(), r.getLevel()))
                .toList(), actual.reports.stream().map(r -> List.of(r.getWindow(), r.getRecords(), r.getLevel()))
                .toList());
        assertEquals(6, actual.rejected.size());
        assertEquals(expected.rejected.stream().map(DeadLetter::getRecordId).toList(),
                actual.rejected.stream().map(DeadLetter::getRecordId).toList());
    }

    @Test
    void aStateRoundTripBehavesIdenticallyAfterwards() {
        ConceptSettings settings = reseeding();
        // mid-bootstrap, mid-batch with a merged partial, and after re-seeds
        List<EmbeddingInput> input = new ArrayList<>(records(0, 60, 0, K));
        input.addAll(records(60, 600, 0, 1));
        for (int cut : new int[] {30, 75, 400}) {
            ConceptStream original = new ConceptStream(Embeddings.TEACHER, settings, ConceptState.empty());
            Collected ignored = new Collected();
            feed(original, input.subList(0, cut), ignored);
            if (original.state().model() != null) {
                original.onPartial(partial(original.state().model(), input.subList(0, 7)), NOW, ignored);
            }
            ConceptStream restored = new ConceptStream(Embeddings.TEACHER, settings,
                    ConceptState.decode(original.state().encode()));
            Collected a = new Collected();
            Collected b = new Collected();
            feed(original, input.subList(cut, input.size()), a);
            feed(restored, input.subList(cut, input.size()), b);
            original.endOfInput(NOW, a);
            restored.endOfInput(NOW, b);
            assertFalse(a.labels.isEmpty());
            assertEquals(a.labels, b.labels, "labels after a cut at " + cut);
            assertEquals(a.snapshots, b.snapshots, "snapshots after a cut at " + cut);
            assertEquals(a.reports, b.reports, "drift reports after a cut at " + cut);
            assertEquals(original.state().nextConceptId(), restored.state().nextConceptId());
            assertEquals(original.state().conceptIds(), restored.state().conceptIds());
            assertTrue(a.snapshots.stream().anyMatch(s -> !s.getReseeded().isEmpty()), "re-seeds after " + cut);
        }
    }

    @Test
    void stateWrittenBeforeCalibrationStillLoadsAndCalibratesOnItsNextWindow() throws Exception {
        // τ fixed and the concept set too: the v1 format has no life-cycle state (target entropy, spread, novelty
        // buffer), which would let τ and births differ after the restore
        ConceptSettings settings = settings();
        KMeansSettings k = settings.kmeans();
        settings = settings.withKMeans(new KMeansSettings(k.k(), k.distance(), k.kernel(), 0.5, k.seed(),
                k.maxIterations(), k.tolerance()))
                .withLifecycle(LifecycleSettings.defaults().withMaxConcepts(K).withMergeRatio(0).withRetire(0, 0));
        ConceptStream original = new ConceptStream(Embeddings.TEACHER, settings, ConceptState.empty());
        Collected ignored = new Collected();
        feed(original, records(0, 170, 0, 2), ignored);
        byte[] old = asVersion1(original.state().encode());

        ConceptStream restored = new ConceptStream(Embeddings.TEACHER, settings, ConceptState.decode(old));
        assertEquals(original.state().model().version(), restored.state().model().version());
        assertEquals(original.state().conceptIds(), restored.state().conceptIds());
        Collected a = new Collected();
        Collected b = new Collected();
        List<EmbeddingInput> next = records(170, 300, 0, 2);
        feed(original, next, a);
        feed(restored, next, b);
        assertEquals(a.labels, b.labels, "the model and the pending batch survive");
        DriftReport first = b.reports.get(0);
        assertEquals(DriftLevel.OK, first.getLevel());
        assertTrue(first.getReasons().get(0).startsWith("reference period"), first.getReasons().toString());
        assertTrue(b.reports.get(1).getThresholds() != null, "calibrated after that window");
    }

    /**
     * {@code bytes} (the current state format) as the v1 format (before calibration and the life cycle) wrote it:
     * the v1 writer schema is the current one without the appended fields, so the current record is written with it.
     */
    private static byte[] asVersion1(byte[] bytes) throws IOException {
        Schema v1 = SchemaCatalog.writerSchema(ConceptState.class, ConceptState.HISTORY + "ConceptStreamState-v1.avsc");
        ConceptStreamState current = ConceptStreamState.fromByteBuffer(ByteBuffer.wrap(bytes));
        return AvroBytes.toArray(new BinaryMessageEncoder<ConceptStreamState>(SpecificData.get(), v1).encode(current));
    }

    @Test
    void conceptIdsNeverRepeatAcrossAStateRoundTrip() {
        ConceptSettings settings = reseeding();
        ConceptStream first = new ConceptStream(Embeddings.TEACHER, settings, ConceptState.empty());
        Collected out = new Collected();
        feed(first, records(0, 60, 0, K), out);
        feed(first, records(60, 500, 0, 1), out);
        ConceptStream second = new ConceptStream(Embeddings.TEACHER, settings,
                ConceptState.decode(first.state().encode()));
        feed(second, records(560, 500, 1, 2), out);
        Set<Long> seen = new HashSet<>();
        long handedOut = 0;
        for (CentroidSnapshot snapshot : out.snapshots) {
            for (int c : snapshot.getReseeded()) {
                assertTrue(seen.add(snapshot.getConceptIds().get(c)), "id reused: " + snapshot.getConceptIds());
                handedOut++;
            }
        }
        assertTrue(handedOut >= 2);
        assertEquals(K + handedOut, second.state().nextConceptId());
    }

    @Test
    void continuesFromASnapshotWithItsIdsOrFromAnOldOneNumbered0ToK() {
        ConceptStream trained = new ConceptStream(Embeddings.TEACHER, settings(), ConceptState.empty());
        Collected out = new Collected();
        feed(trained, records(0, 100, 0, K), out);
        ConceptModel model = trained.state().model();

        CentroidSnapshot withIds = CentroidSnapshots.of(model, Embeddings.TEACHER, List.of(4L, 9L, 7L), List.of(),
                NOW);
        ConceptStream continued = new ConceptStream(Embeddings.TEACHER, settings(),
                ConceptState.fromSnapshot(withIds));
        assertEquals(10, continued.state().nextConceptId());
        Collected next = new Collected();
        feed(continued, records(100, 20, 0, K), next);
        assertEquals(List.of(4L, 9L, 7L), next.labels.get(0).getConceptIds());
        assertEquals(model.version(), next.labels.get(0).getCentroidVersion());
        assertEquals(model.version() + 1, next.snapshots.get(0).getVersion(), "no second bootstrap");

        CentroidSnapshot old = CentroidSnapshot.newBuilder(withIds).setConceptIds(List.of()).build();
        ConceptState fromOld = ConceptState.fromSnapshot(old);
        assertEquals(List.of(0L, 1L, 2L), fromOld.conceptIds());
        assertEquals(K, fromOld.nextConceptId());
        Label label = fromOld.model().label(clusters.point(1));
        assertEquals(model.label(clusters.point(1)).concept(), label.concept());
    }

    /** Clusters 0..2 as the bootstrap sees them, and 3 and 4 that arrive later. */
    private final GaussianClusters five = new GaussianClusters(5, D, 0.02, 5);

    /** Clusters as {@link #five}, but noisy enough that soft labels are not one-hot. */
    private final GaussianClusters noisy = new GaussianClusters(5, D, 0.15, 5);

    private List<EmbeddingInput> fromClusters(int from, int n, int clusterFrom, int clusterTo, List<Integer> truth) {
        return fromClusters(five, from, n, clusterFrom, clusterTo, truth);
    }

    private static List<EmbeddingInput> fromClusters(GaussianClusters clusters, int from, int n, int clusterFrom,
            int clusterTo, List<Integer> truth) {
        GaussianClusters.Sample sample = clusters.sample(n, clusterFrom, clusterTo);
        List<EmbeddingInput> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(record(from + i, sample.vectors().get(i)));
            truth.add(sample.truth()[i]);
        }
        return out;
    }

    /**
     * The life cycle at test scale: a bootstrap of 300 (so the novelty threshold, its 99th percentile, is measured
     * on enough records), a novelty buffer of 60, half-life 200 records, retirement after 200.
     */
    private static ConceptSettings lifecycle() {
        return settings(300, 20, 100, new OnlineSettings(Decay.halfLifeRecords(200), 0, 7))
                .withLifecycle(LifecycleSettings.defaults().withNoveltyBuffer(60).withRetire(0.1, 200)
                        .withMaxConcepts(6));
    }

    @Test
    void aNewClusterGetsAConceptWithinBoundedRecordsAndAClusterThatStopsRetires() {
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, lifecycle(), ConceptState.empty());
        Collected out = new Collected();
        List<Integer> truth = new ArrayList<>();
        feed(stream, fromClusters(0, 300, 0, K, truth), out);
        feed(stream, fromClusters(300, 400, 0, 4, truth), out); // cluster 3 is new: a quarter of the stream
        // born: new rows with the next ids (a tight cluster may come as two halves), labelling cluster 3
        List<Long> ids = stream.state().conceptIds();
        int born = ids.size() - K;
        assertTrue(born >= 1 && born <= 2, ids.toString());
        assertEquals(LongStream.range(0, K + born).boxed().toList(), ids);
        int firstNew = truth.indexOf(3);
        int firstOwn = -1;
        int newLabelled = 0;
        int newByBorn = 0;
        for (LabelledPair label : out.labels) {
            int i = Integer.parseInt(label.getEmbedded().getPair().getId().substring("pair-".length()));
            if (firstOwn < 0 && truth.get(i) == 3 && label.getTopConcept() >= K) {
                firstOwn = i;
                assertEquals(K + born, label.getConceptCount(), "the label grew");
            }
            if (firstOwn >= 0 && truth.get(i) == 3) {
                newLabelled++;
                newByBorn += label.getTopConcept() >= K ? 1 : 0;
            }
        }
        assertTrue(newByBorn >= 0.95 * newLabelled, newByBorn + " of the " + newLabelled
                + " records of cluster 3 since the birth have a born concept");
        assertTrue(firstOwn > firstNew && firstOwn - firstNew <= 60 * 4 + 2 * 20,
                "born after " + (firstOwn - firstNew) + " records: the buffer fills in about 60 / 0.25, plus a batch");
        DriftReport bornIn = out.reports.stream().filter(r -> !r.getConceptEvents().isEmpty()).findFirst()
                .orElseThrow();
        dev.kclip.schemas.ConceptEvent event = bornIn.getConceptEvents().get(0);
        assertEquals(ConceptEventKind.BORN, event.getKind());
        assertEquals(3, event.getConceptId());
        assertEquals(3, event.getRow());
        assertEquals(3, event.getCaptions().size());
        assertTrue(event.getCaptions().get(0).startsWith("caption pair-"), event.getCaptions().toString());
        assertTrue(event.getShare() > 0.02 && event.getShare() < 0.5, "share " + event.getShare());

        // cluster 0 stops: its concept retires, its row is free (id -1, probability 0), its id is never reused
        int seen = out.labels.size();
        int zeroRow = out.labels.get(truth.indexOf(0)).getTopConcept();
        long zeroId = zeroRow;
        feed(stream, fromClusters(700, 1_500, 1, 4, truth), out);
        assertFalse(stream.state().conceptIds().contains(zeroId), "cluster 0's concept " + zeroId + " is gone: "
                + stream.state().conceptIds());
        assertTrue(out.reports.stream().flatMap(r -> r.getConceptEvents().stream())
                .anyMatch(e -> e.getKind() == ConceptEventKind.RETIRED && e.getConceptId() == zeroId));
        CentroidSnapshot retiredIn = out.snapshots.stream()
                .filter(snapshot -> snapshot.getConceptIds().get(zeroRow) == CentroidSnapshots.FREE)
                .findFirst().orElseThrow();
        assertFalse(CentroidSnapshots.toModel(retiredIn).isActive(zeroRow), "a free row in the snapshot");
        for (LabelledPair label : out.labels) {
            if (label.getCentroidVersion() == retiredIn.getVersion()) {
                assertEquals(0f, Float32Vectors.decode(label.getSoftLabel(), label.getConceptCount())[zeroRow],
                        "a free row has probability 0");
            }
        }
        assertTrue(out.labels.size() > seen);
        // ids only grow: a later birth takes a fresh one (into the lowest free row first)
        long next = stream.state().nextConceptId();
        feed(stream, fromClusters(2_200, 300, 1, 5, truth), out);
        assertTrue(stream.state().nextConceptId() > next, "cluster 4 was born");
        assertTrue(stream.state().conceptIds().stream().filter(id -> id >= 0).distinct().count()
                == stream.state().conceptIds().stream().filter(id -> id >= 0).count(), "no id twice");
    }

    @Test
    void tauFollowsTheTargetEntropyAsConceptsAreBorn() {
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, lifecycle(), ConceptState.empty());
        Collected out = new Collected();
        List<Integer> truth = new ArrayList<>();
        feed(stream, fromClusters(noisy, 0, 300, 0, K, truth), out);
        double target = stream.state().targetEntropy();
        double tau = stream.state().model().temperature();
        assertTrue(target > 0.01, "measured at the bootstrap: " + target);
        feed(stream, fromClusters(noisy, 300, 400, 0, 4, truth), out);
        assertTrue(stream.state().model().activeCount() > K, "cluster 3 was born");
        assertNotEquals(tau, stream.state().model().temperature(), "re-estimated when a concept was born");
        // the labels of the last batch have the target's mean entropy, to a few percent
        ConceptModel model = stream.state().model();
        double entropy = out.labels.subList(out.labels.size() - 20, out.labels.size()).stream()
                .mapToDouble(l -> Temperature.entropy(Float32Vectors.decode(l.getSoftLabel(), l.getConceptCount())))
                .average().orElseThrow();
        assertEquals(target, entropy, target, "mean entropy of the newest labels, model " + model);
        assertTrue(stream.state().model().temperature() < tau, "more concepts, sharper kernel for the same entropy");
    }

    @Test
    void theBootstrapSamplesItsWindowAndLabelsAllOfIt() {
        ConceptSettings windowed = settings().withLifecycle(LifecycleSettings.defaults().withBootstrapWindow(120));
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, windowed, ConceptState.empty());
        Collected out = new Collected();
        List<Integer> truth = new ArrayList<>();
        // clusters 0 and 1 first, cluster 2 only in the window's second half: the first B = 60 alone would miss it
        List<EmbeddingInput> input = new ArrayList<>(fromClusters(0, 60, 0, 2, truth));
        input.addAll(fromClusters(60, 60, 2, 3, truth));
        feed(stream, input.subList(0, 119), out);
        assertTrue(out.labels.isEmpty(), "waits for W = 120 records");
        stream.onRecord(input.get(119), NOW, out);
        assertEquals(120, out.labels.size());
        int[] predicted = out.labels.stream().mapToInt(LabelledPair::getTopConcept).toArray();
        assertEquals(1.0, Agreement.adjustedRandIndex(truth.stream().mapToInt(Integer::intValue).toArray(),
                predicted), 1e-12, "all three clusters found");
    }

    @Test
    void stateWrittenBeforeTheLifeCycleStillRestores() throws IOException {
        ConceptStream original = new ConceptStream(Embeddings.TEACHER, settings(), ConceptState.empty());
        Collected ignored = new Collected();
        List<EmbeddingInput> input = records(0, 200, 0, K);
        feed(original, input.subList(0, 110), ignored);
        byte[] old = asVersion1(original.state().encode());
        ConceptState restored = ConceptState.decode(old);
        assertEquals(original.state().conceptIds(), restored.conceptIds());
        assertEquals(original.state().model().version(), restored.model().version());
        assertArrayEquals(new long[K], restored.since(), "every concept known since version 0");
        ConceptStream continued = new ConceptStream(Embeddings.TEACHER, settings(), restored);
        Collected a = new Collected();
        Collected b = new Collected();
        feed(original, input.subList(110, 200), a);
        feed(continued, input.subList(110, 200), b);
        assertEquals(a.labels.stream().map(LabelledPair::getTopConcept).toList(),
                b.labels.stream().map(LabelledPair::getTopConcept).toList());
        assertEquals(a.snapshots.size(), b.snapshots.size());
    }

    /** The partial statistics an assigner would send for {@code records}. */
    private static PartialStatistics partial(ConceptModel model, List<EmbeddingInput> records) {
        BatchStatistics batch = new BatchStatistics(model.k(), model.dim());
        WindowStatistics window = new WindowStatistics(model.k());
        for (EmbeddingInput r : records) {
            float[] prepared = model.distance().prepare(Labelling.vector(r.pair()));
            Label label = model.labelPrepared(prepared);
            batch.add(label.concept(), prepared, Labelling.eventTime(r.pair()));
            window.observe(label.concept(), label.squaredDistance(), model.noveltyThreshold(), model.temperature());
        }
        return new PartialStatistics(Embeddings.TEACHER, model.version(), batch.toState(), window.toState());
    }

    @Test
    void partialStatisticsCountIntoTheBatch() {
        ConceptStream stream = new ConceptStream(Embeddings.TEACHER, settings(), ConceptState.empty());
        Collected out = new Collected();
        feed(stream, records(0, 60, 0, K), out);
        stream.onPartial(partial(stream.state().model(), records(60, 15, 0, K)), NOW, out);
        assertEquals(1, out.snapshots.size());
        feed(stream, records(75, 5, 0, K), out); // 15 + 5 = m
        assertEquals(2, out.snapshots.size());
        assertEquals(out.snapshots.get(0).getRecordsSeen() + 20, out.snapshots.get(1).getRecordsSeen());
        assertNotEquals(out.snapshots.get(0).getCentroids(), out.snapshots.get(1).getCentroids());
    }
}
