package dev.kclip.concepts.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kclip.common.kafka.TopicReader;
import dev.kclip.common.metrics.Health;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.concepts.testdata.Embeddings;
import dev.kclip.concepts.testdata.GaussianClusters;
import dev.kclip.schemas.CentroidSnapshot;
import dev.kclip.schemas.EmbeddedPair;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.testsupport.KafkaBroker;
import dev.kclip.testsupport.KafkaBrokerExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage as {@code kclip up} runs it: in-process on a MiniCluster, stopped with a savepoint, started again
 * from it — no label lost or repeated, the model continues.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ConceptUpdaterServiceIT {

    @TempDir
    Path dir;

    @Test
    void stopsWithASavepointAndResumesFromIt(KafkaBroker broker) throws Exception {
        GaussianClusters.Sample sample = new GaussianClusters(4, 32, 0.02, 8).sample(4_000);
        List<EmbeddedPair> pairs = new ArrayList<>();
        for (int i = 0; i < 4_000; i++) {
            pairs.add(Embeddings.pair(Embeddings.id(i), sample.vectors().get(i), i));
        }
        KafkaFixture kafka = new KafkaFixture(broker.connection(), "service", 3);
        ConceptJobConfig config = kafka.config(ConceptSettings.defaults().withKMeans(KMeansSettings.defaults(4))
                .withBootstrapSize(500).withBatchSize(100), dir, "service")
                .withBounded(false).withRestore(true, null);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();

        kafka.produce(pairs.subList(0, 3_000));
        try (ConceptUpdaterService service = ConceptUpdaterService.start(config, kafka.connection(), registry)) {
            assertFalse(service.restoredFrom().isPresent());
            awaitLabels(kafka, 3_000, service);
            assertEquals(Health.Status.UP, service.health().status(), service.health().detail());
            assertEquals(1.0, registry.get("kclip.concepts.job.running").gauge().value());
        }
        Path savepoint;
        try (Stream<Path> files = Files.walk(dir.resolve("savepoints"))) {
            savepoint = files.filter(p -> p.getFileName().toString().equals("_metadata")).findFirst()
                    .orElseThrow(() -> new AssertionError("no savepoint was written")).getParent();
        }
        // a newer savepoint whose metadata a crash cut short: the restore passes over it for the intact one
        Path corrupt = Files.createDirectories(dir.resolve("savepoints/savepoint-cut-short"));
        byte[] metadata = Files.readAllBytes(savepoint.resolve("_metadata"));
        Files.write(corrupt.resolve("_metadata"), Arrays.copyOf(metadata, metadata.length / 2));
        Files.setLastModifiedTime(corrupt.resolve("_metadata"), FileTime.from(Instant.now().plusSeconds(60)));

        kafka.produce(pairs.subList(3_000, 4_000));
        try (ConceptUpdaterService service = ConceptUpdaterService.start(config, kafka.connection(), registry)) {
            assertEquals(savepoint.toString(), service.restoredFrom().orElseThrow());
            awaitLabels(kafka, 4_000, service);
        }

        List<LabelledPair> labels = kafka.read(kafka.topics().labels(), LabelledPair.class, 4_001);
        assertEquals(4_000, labels.size());
        assertEquals(4_000, new HashSet<>(labels.stream().map(l -> l.getEmbedded().getPair().getId()).toList()).size());
        List<Long> versions = kafka.read(kafka.topics().centroids(), CentroidSnapshot.class, Long.MAX_VALUE).stream()
                .map(CentroidSnapshot::getVersion).toList();
        assertEquals(1, versions.stream().filter(v -> v == 1L).count(), "one bootstrap across both runs");
        for (int i = 1; i < versions.size(); i++) {
            assertTrue(versions.get(i) > versions.get(i - 1), "versions " + versions);
        }
    }

    private static void awaitLabels(KafkaFixture kafka, long count, ConceptUpdaterService service)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            long committed = TopicReader.readAll(kafka.connection(), kafka.topics().labels(), count,
                    Duration.ofSeconds(1)).size();
            if (committed >= count) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("fewer than " + count + " labels committed in 90 s; " + service.health().detail());
    }
}
