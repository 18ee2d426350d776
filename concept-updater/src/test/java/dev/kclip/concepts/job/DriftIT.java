package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.concepts.drift.DriftSettings;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.lifecycle.LifecycleSettings;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.GaussianClusters;
import dev.kclip.schemas.DriftLevel;
import dev.kclip.schemas.DriftReport;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A concept mix that changes at record 10,000 (three new clusters) raises ALERT right after, and not before. */
@ExtendWith(KafkaBrokerExtension.class)
class DriftIT {

    @TempDir
    Path dir;

    @Test
    void threeNewClustersRaiseAlertWithinTwoWindowsAndNoneBefore(KafkaBroker broker) throws Exception {
        GaussianClusters clusters = new GaussianClusters(10, 384, 0.02, 77);
        List<float[]> vectors = new ArrayList<>(clusters.sample(10_000, 0, 7).vectors());
        vectors.addAll(clusters.sample(3_000, 0, 10).vectors());
        List<EmbeddedPair> pairs = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            pairs.add(Embeddings.pair(Embeddings.id(i), vectors.get(i), 1_000L * i));
        }
        // one partition: the job sees the records in the order they were written
        KafkaFixture kafka = new KafkaFixture(broker.connection(), "drift", 1);
        kafka.produce(pairs);
        // the concept set held fixed: with the life cycle on, the three new clusters are born as concepts within
        // the window and the drift report says so (conceptEvents) instead of the novelty rate staying high
        ConceptSettings settings = ConceptSettings.defaults()
                .withKMeans(KMeansSettings.defaults(10))
                // a false-alarm rate of 0.1% per window: the ten windows before the change alarm with chance ≈ 1%
                .withDrift(new DriftSettings(1_000, 0, 0.02, 0.001, 0.01))
                .withLifecycle(LifecycleSettings.defaults().withMaxConcepts(10).withMergeRatio(0).withRetire(0, 0));
        KafkaFixture.runToEnd(kafka.connection(), kafka.config(settings, dir, "drift"));

        List<DriftReport> reports = kafka.read(kafka.topics().drift(), DriftReport.class, 13).stream()
                .sorted(Comparator.comparingLong(DriftReport::getWindow)).toList();
        String table = reports.stream().map(r -> r.getWindow() + " " + r.getLevel() + " js=" + r.getJsDivergence()
                + " novelty=" + r.getNoveltyRate() + " mmd=" + r.getMmd() + " displacement="
                + r.getCentroidDisplacement() + " " + r.getReasons())
                .collect(Collectors.joining("\n"));
        assertEquals(13, reports.size(), table);
        for (int w = 0; w < 13; w++) {
            assertEquals(w, reports.get(w).getWindow());
            assertEquals(1_000, reports.get(w).getRecords(), "window " + w + " size\n" + table);
        }
        for (int w = 0; w < 10; w++) {
            assertNotEquals(DriftLevel.ALERT, reports.get(w).getLevel(), "window " + w + " before the change\n" + table);
        }
        assertTrue(reports.get(10).getLevel() == DriftLevel.ALERT || reports.get(11).getLevel() == DriftLevel.ALERT,
                "no ALERT within two windows of the change\n" + table);
    }
}
