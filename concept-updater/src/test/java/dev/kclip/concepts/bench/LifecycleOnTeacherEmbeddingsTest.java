package dev.kclip.concepts.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kclip.concepts.job.ConceptSettings;
import dev.kclip.concepts.kmeans.KMeansSettings;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The concept life cycle on real teacher embeddings: the captions of emoji-64 and emoji-styles embedded by the
 * project's MiniLM teacher, streamed category after category through {@link LifecycleBench} (the figures are
 * printed to the test's output).
 */
class LifecycleOnTeacherEmbeddingsTest {

    private static final List<Path> DATASETS = List.of(Path.of("../datasets/emoji-64/pairs.jsonl"),
            Path.of("../datasets/emoji-styles/pairs.jsonl"));
    /** Classes with fewer records than this are folded into their neighbour's stream (Component: 19 records). */
    private static final int MIN_CLASS = 50;
    private static final String STOPPED = "Flags";
    private static final int STOP_RECORDS = 90_000;
    private static final int K = 8;
    private static final int MAX_K = 128;

    private static List<LifecycleBench.Item> arrival;

    @BeforeAll
    static void embed() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, List<String>> byCategory = new LinkedHashMap<>();
        for (Path file : DATASETS) {
            for (String line : Files.readAllLines(file)) {
                JsonNode pair = json.readTree(line);
                byCategory.computeIfAbsent(pair.get("category").asText(), c -> new ArrayList<>())
                        .add(pair.get("caption").asText());
            }
        }
        byCategory.values().removeIf(captions -> captions.size() < MIN_CLASS);
        List<String> unique = byCategory.values().stream().flatMap(List::stream).distinct().toList();
        Map<String, float[]> vectors = new HashMap<>();
        try (TeacherModel teacher = TeacherModels.load("onnx-minilm")) {
            List<float[]> embedded = teacher.vectors(unique);
            for (int i = 0; i < unique.size(); i++) {
                vectors.put(unique.get(i), embedded.get(i));
            }
        }
        // one category after another, each in a seeded shuffle
        arrival = new ArrayList<>();
        Random random = new Random(7);
        for (Map.Entry<String, List<String>> category : byCategory.entrySet()) {
            List<String> captions = new ArrayList<>(category.getValue());
            Collections.shuffle(captions, random);
            captions.forEach(c -> arrival.add(new LifecycleBench.Item(vectors.get(c), c, category.getKey())));
        }
    }

    private static ConceptSettings settings() {
        ConceptSettings defaults = ConceptSettings.defaults();
        return defaults.withKMeans(KMeansSettings.defaults(K)).withBootstrapSize(512)
                .withLifecycle(defaults.lifecycle().withMaxConcepts(MAX_K));
    }

    @Test
    void everyNewCategoryGetsConceptsOfItsOwnAndAStoppedOneRetires() {
        // flags stop arriving: the Flags category, and the flags filed under Extras and Objects (which would keep the
        // flag concept fed)
        LifecycleBench.Report report = LifecycleBench.run(arrival, STOPPED, item -> item.category().equals(STOPPED)
                || item.caption().toLowerCase(Locale.ROOT).contains("flag"), STOP_RECORDS, settings(), 11);
        report.print(System.out);

        // the bootstrap saw only the first category or two; every later one got a concept of its own, soon (but
        // Extras, OpenMoji's grab bag of flags, signs and symbols that the other categories already hold)
        List<LifecycleBench.Arrival> late = report.arrivals().stream()
                .filter(a -> a.firstRecord() >= 512 && !a.category().equals("Extras")).toList();
        assertTrue(late.size() >= 7, late.size() + " categories after the bootstrap");
        for (LifecycleBench.Arrival a : late) {
            assertTrue(a.ownAfter() >= 0 && a.ownAfter() <= 300,
                    a.category() + " got its own concept after " + a.ownAfter() + " of " + a.records() + " records");
        }
        assertTrue(report.births().size() >= late.size(), report.births().size() + " births");
        assertTrue(report.births().stream().allMatch(b -> !b.captions().isEmpty()), "born concepts are named");
        // as good a clustering as the offline K-means with the same K on all the data
        assertTrue(report.purity() >= report.offlinePurity() - 0.02,
                "purity " + report.purity() + " vs offline " + report.offlinePurity());
        assertTrue(report.ari() >= report.offlineAri() - 0.02, "ARI " + report.ari() + " vs offline "
                + report.offlineAri());
        // the category that stopped arriving lost its concepts, the others kept most of theirs
        assertTrue(report.stoppedConcepts() >= 1);
        assertTrue(report.stoppedRetired().size() * 2 >= report.stoppedConcepts(), "half the stopped category's "
                + report.stoppedConcepts() + " concepts retired: " + report.stoppedRetired());
        assertTrue(report.othersRetired() * 4 < report.activeConcepts(), report.othersRetired() + " others retired");
        assertEquals(report.rows(), Math.max(report.rows(), report.activeConcepts()));
    }
}
