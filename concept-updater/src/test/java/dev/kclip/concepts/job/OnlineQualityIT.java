package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.TopicReader;
import dev.kclip.concepts.kmeans.CentroidSnapshots;
import dev.kclip.concepts.kmeans.ConceptModel;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.bench.Agreement;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.GaussianClusters;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.serde.AvroCodec;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * 20,000 vectors from 10 well-separated clusters in 384 dimensions through the Kafka job: the online model is as
 * good as offline Lloyd's, and the parallel path (two assigners, centroids fed back through the snapshot topic)
 * as good as the single operator.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnlineQualityIT {

    private static final int N = 20_000;
    private static final int K = 10;
    private static final int D = 384;

    private Path dir;
    private GaussianClusters.Sample sample;
    private List<EmbeddedPair> pairs;
    private ConceptSettings settings;
    private KafkaFixture single;

    @BeforeAll
    void runSingleOperator(KafkaBroker broker, @TempDir Path tempDir) throws Exception {
        dir = tempDir;
        sample = new GaussianClusters(K, D, 0.02, 2024).sample(N);
        pairs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            pairs.add(Embeddings.pair(Embeddings.id(i), sample.vectors().get(i), 1_000L * i));
        }
        settings = ConceptSettings.defaults().withKMeans(KMeansSettings.defaults(K));
        single = new KafkaFixture(broker.connection(), "quality", 3);
        single.produce(pairs);
        KafkaFixture.runToEnd(single.connection(), single.config(settings, dir.resolve("single"), "single"));
    }

    @Test
    void onlineInertiaWithinFivePercentOfOfflineAndAdjustedRandIndexAtLeast095() {
        List<LabelledPair> labels = single.read(single.topics().labels(), LabelledPair.class, N);
        assertEquals(N, labels.size());
        Map<String, Integer> top = new HashMap<>();
        labels.forEach(l -> top.put(l.getEmbedded().getPair().getId(), l.getTopConcept()));
        assertEquals(N, top.size(), "every input id labelled once");
        int[] predicted = new int[N];
        for (int i = 0; i < N; i++) {
            predicted[i] = top.get(Embeddings.id(i));
        }
        double ari = Agreement.adjustedRandIndex(sample.truth(), predicted);
        assertTrue(ari >= 0.95, "adjusted Rand index " + ari);

        ConceptModel online = newestModel(single);
        double onlineInertia = online.centroids().inertia(sample.vectors());
        double offlineInertia = OfflineKMeans.fit(sample.vectors(), KMeansSettings.defaults(K)).inertia();
        assertTrue(onlineInertia <= 1.05 * offlineInertia,
                "online inertia " + onlineInertia + " vs offline " + offlineInertia);
        assertEquals(N, online.recordsSeen());
    }

    @Test
    void parallelPathWithTwoAssignersReachesTheSingleOperatorsInertia(KafkaBroker broker) throws Exception {
        KafkaFixture parallel = new KafkaFixture(broker.connection(), "parallel", 3);
        parallel.produce(pairs);
        ConceptJobConfig config = parallel.config(settings.withAssigners(2), dir.resolve("parallel"), "p2");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1,
                ConceptJob.flinkConfiguration(config, null));
        ConceptJob.buildKafkaJob(env, parallel.connection(), config);
        // the feedback source never ends: wait for every label and for the snapshot that folds in all records but
        // the unsent remainder (under m / P per assigner, plus under m merged in the updater), then cancel
        JobClient job = env.executeAsync("concepts-parallel-it");
        try {
            assertEquals(N, parallel.read(parallel.topics().labels(), LabelledPair.class, N).size());
            long settled = N - 2L * settings.batchSize();
            AvroCodec<CentroidSnapshot> codec = AvroCodec.forClass(CentroidSnapshot.class);
            AtomicLong seen = new AtomicLong();
            TopicReader.read(parallel.connection(), parallel.topics().centroids(), true, Long.MAX_VALUE,
                    Duration.ofSeconds(60), record -> {
                        seen.accumulateAndGet(codec.decode(record.value()).getRecordsSeen(), Math::max);
                        return seen.get() < settled;
                    });
            assertTrue(seen.get() >= settled, "the newest snapshot folds in " + seen.get() + " of " + N + " records");
        } finally {
            job.cancel().get();
        }

        ConceptModel singleModel = newestModel(single);
        ConceptModel parallelModel = newestModel(parallel);
        double singleInertia = singleModel.centroids().inertia(sample.vectors());
        double parallelInertia = parallelModel.centroids().inertia(sample.vectors());
        assertTrue(Math.abs(parallelInertia - singleInertia) <= 0.02 * singleInertia,
                "P=2 inertia " + parallelInertia + " vs P=1 " + singleInertia);
        // the assigners did label: most updates came from partial statistics, not the updater's own records
        assertTrue(parallelModel.version() > 30, "only " + parallelModel.version() + " versions");
    }

    private static ConceptModel newestModel(KafkaFixture kafka) {
        CentroidSnapshot newest = kafka.read(kafka.topics().centroids(), CentroidSnapshot.class, Long.MAX_VALUE)
                .stream().max(Comparator.comparingLong(CentroidSnapshot::getVersion)).orElseThrow();
        return CentroidSnapshots.toModel(newest);
    }
}
