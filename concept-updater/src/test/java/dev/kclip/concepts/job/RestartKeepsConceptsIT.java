package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.kmeans.OfflineKMeans;
import dev.kclip.concepts.stream.Labelling;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.GaussianClusters;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A job restarted with --init-from-snapshot labels the same vectors with the same concept ids. */
@ExtendWith(KafkaBrokerExtension.class)
class RestartKeepsConceptsIT {

    private static final int N = 3_000;
    private static final int K = 8;

    @TempDir
    Path dir;

    @Test
    void restartedJobKeepsTheNumberingAndContinuesTheVersions(KafkaBroker broker) throws Exception {
        GaussianClusters.Sample sample = new GaussianClusters(K, 384, 0.02, 31).sample(N);
        List<EmbeddedPair> pairs = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            pairs.add(Embeddings.pair(Embeddings.id(i), sample.vectors().get(i), i));
        }
        KafkaFixture first = new KafkaFixture(broker.connection(), "restart-a", 3);
        first.produce(pairs);
        ConceptSettings settings = ConceptSettings.defaults().withKMeans(KMeansSettings.defaults(K).withSeed(1));
        KafkaFixture.runToEnd(first.connection(), first.config(settings, dir.resolve("a"), "a"));
        Map<String, Integer> before = topConcepts(first.read(first.topics().labels(), LabelledPair.class, N));
        CentroidSnapshot newest = first.read(first.topics().centroids(), CentroidSnapshot.class, Long.MAX_VALUE)
                .stream().max(Comparator.comparingLong(CentroidSnapshot::getVersion)).orElseThrow();
        long lastVersion = newest.getVersion();
        assertEquals(K, newest.getConceptIds().size());

        // the redeployed job: same vectors in another order, another seed, and the first job's snapshot topic
        List<EmbeddedPair> shuffled = new ArrayList<>(pairs);
        Collections.shuffle(shuffled, new Random(3));
        KafkaFixture second = new KafkaFixture(broker.connection(), "restart-b", 3);
        second.produce(shuffled);
        ConceptSettings otherSeed = settings.withKMeans(KMeansSettings.defaults(K).withSeed(99));
        ConceptJobConfig.Topics topics = second.topics();
        ConceptJobConfig config = second.config(otherSeed, dir.resolve("b"), "b")
                .withTopics(new ConceptJobConfig.Topics(topics.input(), topics.labels(), first.topics().centroids(),
                        topics.drift(), topics.deadLetters()))
                .withInitFromSnapshot(true);
        KafkaFixture.runToEnd(second.connection(), config);

        List<LabelledPair> relabelled = second.read(topics.labels(), LabelledPair.class, N);
        assertEquals(N, relabelled.size());
        assertEquals(before, topConcepts(relabelled), "same vectors, same concept ids");
        assertTrue(relabelled.stream().allMatch(l -> l.getCentroidVersion() >= lastVersion),
                "labels carry versions continuing from " + lastVersion);
        List<LabelledPair> withRestoredModel = relabelled.stream()
                .filter(l -> l.getCentroidVersion() == lastVersion).toList();
        assertFalse(withRestoredModel.isEmpty());
        assertTrue(withRestoredModel.stream().allMatch(l -> l.getConceptIds().equals(newest.getConceptIds())),
                "labels of the restored model carry its concept ids " + newest.getConceptIds());
        List<Long> all = versions(first);
        assertEquals(1, all.stream().filter(v -> v == 1L).count(), "the restarted job did not bootstrap again");
        assertTrue(all.stream().mapToLong(Long::longValue).max().orElseThrow() > lastVersion);

        // control: bootstrapping afresh on the shuffled stream with the new seed would have numbered differently
        List<float[]> firstB = shuffled.subList(0, otherSeed.effectiveBootstrapSize()).stream()
                .map(Labelling::vector).toList();
        OfflineKMeans.Result fresh = OfflineKMeans.fit(firstB, otherSeed.kmeans());
        Map<String, Integer> freshTop = new HashMap<>();
        for (int i = 0; i < firstB.size(); i++) {
            freshTop.put(shuffled.get(i).getPair().getId(), fresh.assignments()[i]);
        }
        long agreeing = freshTop.entrySet().stream().filter(e -> e.getValue().equals(before.get(e.getKey()))).count();
        assertNotEquals(freshTop.size(), agreeing, "a fresh bootstrap happens to number like the first job");
    }

    private static Map<String, Integer> topConcepts(List<LabelledPair> labels) {
        Map<String, Integer> top = new HashMap<>();
        labels.forEach(l -> top.put(l.getEmbedded().getPair().getId(), l.getTopConcept()));
        return top;
    }

    private static List<Long> versions(KafkaFixture kafka) {
        return kafka.read(kafka.topics().centroids(), CentroidSnapshot.class, Long.MAX_VALUE).stream()
                .map(CentroidSnapshot::getVersion).toList();
    }
}
