package dev.kclip.launcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    @TempDir
    Path dir;

    /** A run's worth of report data, small. */
    static ReportData sample() throws Exception {
        List<ReportData.LossPoint> losses = new ArrayList<>();
        for (int step = 1; step <= 60; step++) {
            losses.add(new ReportData.LossPoint(step, 0.002 / step, 3.0 - step * 0.01, 4.0 / Math.sqrt(step),
                    4.0 / Math.sqrt(step) + 0.03));
        }
        List<ReportData.CheckpointPoint> checkpoints = List.of(
                new ReportData.CheckpointPoint(1, 20, Map.of("zero_shot_top1", 0.2, "image_to_text_r5", 0.1)),
                new ReportData.CheckpointPoint(2, 40, Map.of("zero_shot_top1", 0.3, "image_to_text_r5", 0.2)),
                new ReportData.CheckpointPoint(3, 60, Map.of("zero_shot_top1", 0.35, "image_to_text_r5", 0.25,
                        "teacher_knn_overlap_10", 0.4)));
        List<ReportData.ConceptSizes> sizes = new ArrayList<>();
        for (int v = 1; v <= 12; v++) {
            float[] weights = new float[14];
            for (int k = 0; k < weights.length; k++) {
                weights[k] = 10 + k * v;
            }
            sizes.add(new ReportData.ConceptSizes(v, v * 100L, weights));
        }
        List<ReportData.DriftPoint> drift = new ArrayList<>();
        for (int w = 0; w < 12; w++) {
            drift.add(new ReportData.DriftPoint(w, 0.02 * w, w >= 8 ? 0.3 : 0.01, 0.2, w >= 8 ? 0.05 : 0.001,
                    w >= 8 ? 0.4 : 0.8, w == 8 || w == 9 ? "ALERT" : w == 10 ? "WARN" : "OK",
                    "window " + w + " because [mmd > alert] rose #31 \"flag <" + w + ">\""));
        }
        List<ReportData.ConceptExamples> concepts = List.of(
                new ReportData.ConceptExamples(3, 120, "apple, red", List.of(
                        new ReportData.Example("red apple <b>", png(Color.RED), "image/png"),
                        new ReportData.Example("green apple", png(Color.GREEN), "image/png"))),
                new ReportData.ConceptExamples(0, 80, "car", List.of(
                        new ReportData.Example("police car", png(Color.BLUE), "image/png"))));
        ReportData.AccuracyHeatMap accuracy = new ReportData.AccuracyHeatMap(List.of("step 20", "step 40", "step 60"),
                List.of("animals", "food"), new double[][] {{0.5, 0.1}, {0.6, Double.NaN}, {0.3, 0.9}},
                new boolean[][] {{false, true}, {false, true}, {false, false}}, List.of("in-domain 75.0% <mean>"));
        return new ReportData("Test report", List.of("zero-shot accuracy: 35.0% (chance 10.0%)"), losses,
                checkpoints, sizes, drift, concepts, accuracy);
    }

    @Test
    void writesOneSelfContainedPageWithEveryChartsFigures() throws Exception {
        Path index = ReportWriter.write(sample(), dir);

        String html = Files.readString(index);
        assertEquals(dir.resolve("index.html"), index);
        Matcher plots = Pattern.compile("<div class=\"plot\" id=\"([a-z-]+)\" data-spec=\"([^\"]*)\"></div>").matcher(html);
        List<String> ids = new ArrayList<>();
        Map<String, JsonNode> specs = new HashMap<>();
        while (plots.find()) {
            ids.add(plots.group(1));
            specs.put(plots.group(1), new ObjectMapper().readTree(plots.group(2).replace("&quot;", "\"")
                    .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")));
        }
        assertEquals(List.of("loss-total", "loss-contrastive", "loss-concept", "loss-embedding", "evaluation",
                "accuracy-matrix", "concept-sizes", "drift"), ids);
        assertTrue(html.contains("<li>in-domain 75.0% &lt;mean&gt;</li>"), "the matrix's notes, escaped");
        assertTrue(html.contains("red apple &lt;b&gt;"), "captions are escaped");
        assertTrue(html.contains("<li><code>window 8 because [mmd &gt; alert] rose #31 &quot;flag &lt;8&gt;&quot;"
                + "</code></li>"), "what drifted, for each window that alarmed, escaped");
        assertEquals(3, html.split("<li><code>window", -1).length - 1, "windows 8, 9 and 10 alarmed, 0-7 did not");
        assertEquals(3, html.split("<img class=\"example\"", -1).length - 1, "one image per example");
        assertEquals("lines", specs.get("loss-total").get("kind").asText());
        assertEquals(60, specs.get("loss-total").get("series").get(0).get("y").size(), "a point per step");
        assertEquals(4.0 / Math.sqrt(4) + 0.03, specs.get("loss-total").get("series").get(0).get("y").get(3).asDouble(), 1e-9);
        assertEquals(0.35, specs.get("evaluation").get("checkpoints").get(2).get("metrics").get("zero_shot_top1").asDouble());
        assertEquals(12, specs.get("concept-sizes").get("snapshots").size());
        assertEquals("ALERT", specs.get("drift").get("windows").get(8).get("level").asText());
        assertTrue(specs.get("drift").get("windows").get(0).get("mmd").asDouble() > 0);
        assertTrue(specs.get("accuracy-matrix").get("values").get(1).get(1).isNull(), "a NaN cell is blank");
        assertTrue(html.contains("var KclipCharts"), "the shared chart script travels inline");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "nothing is loaded from elsewhere");
        assertFalse(html.contains("<script src"), "no script from a file beside it either");
        assertTrue(html.contains("zero-shot accuracy: 35.0% (chance 10.0%)"));
    }

    static byte[] png(Color color) throws Exception {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                image.setRGB(x, y, color.getRGB());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
