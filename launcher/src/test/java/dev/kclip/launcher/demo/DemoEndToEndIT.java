package dev.kclip.launcher.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.launcher.pipeline.StagePlacement;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's path, smaller: the embedded broker, ingest, teacher (MiniLM), the Flink concept job and the trainer in
 * one process, a few hundred real emoji pairs streamed by category; counts must match stage to stage and a
 * checkpoint event must arrive.
 */
class DemoEndToEndIT {

    private static final int PAIRS = 300;

    @TempDir
    Path dir;

    @Test
    void everyAcceptedPairIsEmbeddedLabelledAndTrainedOnce() throws Exception {
        Path dataset = firstPairs(Path.of("../datasets/emoji-64/pairs.jsonl"), PAIRS);
        // zero-shot over subcategories, buckets by category: every bucket's held-out pairs span several classes, so
        // its boundary checkpoint can score it however far the push runs ahead of training (with categories as both,
        // the first bucket's boundary could come before any held-out pair of a second class had arrived)
        DemoSettings settings = new DemoSettings(dir.resolve("state"), dataset, "subcategory", "category", 0.2,
                8, 100, 50, 30, 16, "onnx-minilm", dir.resolve("report"), Duration.ofMinutes(6), true,
                Path.of("../models/emoji-base").toString(), StagePlacement.CPU, false);
        ByteArrayOutputStream output = new ByteArrayOutputStream();

        DemoSummary summary = new DemoRun(settings, new PrintStream(output, true, StandardCharsets.UTF_8), false).run();

        String printed = output.toString(StandardCharsets.UTF_8);
        assertEquals(PAIRS, summary.accepted(), printed);
        assertEquals(0, summary.rejected(), printed);
        assertEquals(PAIRS, summary.embedded(), "every accepted pair embedded once");
        assertEquals(PAIRS, summary.labelled(), "every embedded pair labelled once");
        assertEquals(0, summary.trainedMoreThanOnce(), "no stream example trained twice");
        assertEquals(PAIRS, summary.trainedOnce() + summary.heldOut(), "every labelled pair trained once or held out");
        assertTrue(summary.heldOut() > 30 && summary.heldOut() < 90, "about 20% held out: " + summary.heldOut());
        assertTrue(summary.steps() >= 30, "steps " + summary.steps());
        assertTrue(summary.checkpoints() >= 1, "a checkpoint event arrived");
        assertTrue(summary.metrics().containsKey("zero_shot_top1"), "the final checkpoint was evaluated: " + summary.metrics());
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("zero-shot accuracy: ")), printed);
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("recall@5: ")), printed);
        // the stream's two categories are the continual evaluation's buckets
        assertEquals(List.of("Smileys & Emotion", "People & Body"), summary.accuracyMatrix().buckets(), printed);
        assertTrue(summary.accuracyMatrix().rows().size() >= 2, "a checkpoint ends the first bucket, one the run");
        assertEquals("Smileys & Emotion", summary.accuracyMatrix().rows().get(0).newest());
        assertEquals(2, summary.continual().learnt(), "both buckets have a diagonal entry: " + summary.continual());
        assertEquals(1, summary.continual().compared(), "the first bucket's accuracy at the end vs. right after it");
        assertEquals(0.25, summary.metrics().get("replay_share"));
        assertTrue(printed.lines().anyMatch(l -> l.startsWith("continual: by field category, 2 buckets")
                && l.contains("backward transfer") && l.contains("; replay: reservoir, 25% of each batch")), printed);
        String report = Files.readString(dir.resolve("report/index.html"));
        assertTrue(report.contains("id=\"concept-sizes\""), "report written");
        assertTrue(report.contains("id=\"accuracy-matrix\""), "the accuracy matrix drawn");
    }

    /**
     * The first {@code n} lines of a JSON Lines dataset with their images, copied into the temp folder (readers take
     * images only from under the dataset's folder).
     */
    private Path firstPairs(Path source, int n) throws Exception {
        List<String> lines = Files.readAllLines(source).subList(0, n);
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            String image = json.readTree(line).get("image").asText();
            Path copy = dir.resolve(image);
            Files.createDirectories(copy.getParent());
            Files.copy(source.resolveSibling(image), copy, StandardCopyOption.REPLACE_EXISTING);
        }
        Path file = dir.resolve("pairs.jsonl");
        Files.write(file, lines);
        return file;
    }
}
