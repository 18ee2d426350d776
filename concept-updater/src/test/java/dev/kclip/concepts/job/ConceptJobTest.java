package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.bench.Agreement;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.GaussianClusters;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.Float32Vectors;
import dev.kclip.schemas.LabelledPair;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pipeline on bounded in-memory data with collecting sinks: the logic, without Kafka. */
class ConceptJobTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private final CollectingSink<LabelledPair> labels = new CollectingSink<>();
    private final CollectingSink<CentroidSnapshot> snapshots = new CollectingSink<>();
    private final CollectingSink<DriftReport> drift = new CollectingSink<>();
    private final CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();

    private void run(List<RawEmbedding> input, ConceptSettings settings) throws Exception {
        Configuration conf = new Configuration();
        // every stream type must have a real serializer (Avro or POJO), never the generic Kryo fallback
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        ConceptJob.build(env.fromData(input, ConceptTypes.RAW_EMBEDDING), null, settings, Map.of(),
                new ConceptSinks(labels, snapshots, drift, deadLetters));
        env.execute("concepts-test");
    }

    private static RawEmbedding raw(EmbeddedPair pair, long offset) {
        return new RawEmbedding(Embeddings.key(pair), Embeddings.encode(pair), "input", 0, offset);
    }

    @Test
    void labelsEveryValidRecordAndDeadLettersTheRest() throws Exception {
        GaussianClusters.Sample sample = new GaussianClusters(5, 32, 0.03, 11).sample(1_000);
        List<RawEmbedding> input = new ArrayList<>();
        // the very first record has another dimension: the bootstrap goes by what most records have
        input.add(raw(Embeddings.pair("bad-mismatch-first", new float[] {1, 2, 3}, 0), 999));
        for (int i = 0; i < 1_000; i++) {
            input.add(raw(Embeddings.pair(Embeddings.id(i), sample.vectors().get(i), 1_000L * i), i));
        }
        float[] nan = sample.vectors().get(0).clone();
        nan[3] = Float.NaN;
        input.add(raw(Embeddings.pair("bad-nan", nan, 5), 2_000));
        input.add(raw(Embeddings.pair("bad-zero", new float[32], 5), 2_001));
        input.add(raw(Embeddings.pair("bad-dim", Embeddings.TEACHER, Float32Vectors.encode(new float[32]), 31, 5),
                2_002));
        input.add(raw(Embeddings.pair("bad-mismatch", new float[] {1, 2, 3}, 50_000_000), 2_003));
        input.add(new RawEmbedding("junk".getBytes(), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "input", 0,
                2_004));
        ConceptSettings settings = ConceptSettings.defaults()
                .withKMeans(KMeansSettings.defaults(5)).withBootstrapSize(200).withBatchSize(100);

        run(input, settings);

        List<LabelledPair> out = labels.received();
        assertEquals(1_000, out.size());
        assertEquals(1_000, out.stream().map(l -> l.getEmbedded().getPair().getId()).distinct().count());
        Map<String, Integer> top = out.stream().collect(Collectors.toMap(
                l -> l.getEmbedded().getPair().getId(), LabelledPair::getTopConcept));
        int[] predicted = new int[1_000];
        for (int i = 0; i < 1_000; i++) {
            predicted[i] = top.get(Embeddings.id(i));
        }
        assertEquals(1.0, Agreement.adjustedRandIndex(sample.truth(), predicted), 1e-12);
        for (LabelledPair l : out) {
            float[] p = Float32Vectors.decode(l.getSoftLabel(), 5);
            double sum = 0;
            for (float v : p) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-5);
            assertEquals(5, l.getConceptCount());
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L), l.getConceptIds(), "no re-seed on stable clusters");
        }
        // one operator at parallelism 1: labels leave in processing order, versions never go back
        for (int i = 1; i < out.size(); i++) {
            assertTrue(out.get(i).getCentroidVersion() >= out.get(i - 1).getCentroidVersion());
        }

        Map<String, String> reasons = new TreeMap<>();
        deadLetters.received().forEach(d -> reasons.put(String.valueOf(d.getRecordId()), d.getReasonCode()));
        assertEquals(Map.of("bad-nan", "NON_FINITE_VECTOR", "bad-zero", "ZERO_VECTOR", "bad-dim", "BAD_DIMENSION",
                "bad-mismatch", "DIMENSION_MISMATCH", "bad-mismatch-first", "DIMENSION_MISMATCH", "null", "BAD_RECORD"),
                reasons);
        assertEquals(6, deadLetters.received().size(), "each rejected record once");
        DeadLetter junk = deadLetters.received().stream().filter(d -> d.getRecordId() == null).findFirst().orElseThrow();
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}), junk.getOriginalValue());
        assertEquals(2_004, junk.getSourceOffset());
        assertEquals("concepts", junk.getStage());

        // bootstrap from the first 200 buffered (199 usable) = version 1, then one version per batch of 100 over
        // the other 801 records, the last one (a single record) folded in at the end of the input
        List<Long> versions = snapshots.received().stream().map(CentroidSnapshot::getVersion).toList();
        assertEquals(1L, versions.get(0));
        assertEquals(10, versions.size());
        for (int i = 1; i < versions.size(); i++) {
            assertEquals(versions.get(i - 1) + 1, versions.get(i));
        }
        assertTrue(snapshots.received().stream()
                .allMatch(sn -> sn.getConceptIds().equals(List.of(0L, 1L, 2L, 3L, 4L))));
        assertEquals(199, snapshots.received().get(0).getRecordsSeen());
        assertEquals(1_000, snapshots.received().get(9).getRecordsSeen());
    }

    @Test
    void shortBoundedInputBootstrapsAtTheEndAndTooShortIsDeadLettered() throws Exception {
        GaussianClusters.Sample sample = new GaussianClusters(4, 16, 0.03, 3).sample(300);
        List<RawEmbedding> input = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            input.add(raw(Embeddings.pair(Embeddings.id(i), sample.vectors().get(i), i), i));
        }
        // a second teacher with only 3 records for K=4
        for (int i = 0; i < 3; i++) {
            EmbeddedPair few = Embeddings.pair("few-" + i, "other-teacher",
                    Float32Vectors.encode(sample.vectors().get(i)), 16, i);
            input.add(raw(few, 1_000 + i));
        }
        run(input, ConceptSettings.defaults().withKMeans(KMeansSettings.defaults(4)));

        assertEquals(300, labels.received().size());
        Map<String, Long> byReason = new HashMap<>();
        deadLetters.received().forEach(d -> byReason.merge(d.getReasonCode(), 1L, Long::sum));
        assertEquals(Map.of("TOO_FEW_TO_BOOTSTRAP", 3L), byReason);
        assertEquals(List.of("test-teacher"),
                snapshots.received().stream().map(CentroidSnapshot::getTeacherModelId).distinct().toList());
    }
}
