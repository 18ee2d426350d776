package dev.kclip.launcher.report;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the run's report: one self-contained {@code index.html} (charts and example images inline as data URIs,
 * no scripts or styles from elsewhere), so it opens from disk or as a CI artifact.
 */
public final class ReportWriter {

    /** Evaluation figures plotted over checkpoints, with their labels. */
    private static final Map<String, String> EVAL_METRICS = new LinkedHashMap<>();

    static {
        EVAL_METRICS.put("zero_shot_top1", "zero-shot top-1");
        EVAL_METRICS.put("zero_shot_top5", "zero-shot top-5");
        EVAL_METRICS.put("image_to_text_r5", "image→text R@5");
        EVAL_METRICS.put("text_to_image_r5", "text→image R@5");
        EVAL_METRICS.put("teacher_knn_overlap_10", "teacher kNN-overlap@10");
        EVAL_METRICS.put("teacher_cosine", "teacher cosine");
        EVAL_METRICS.put("concept_accuracy", "concept accuracy");
    }

    /** Concepts drawn as their own band in the size chart; the rest are summed. */
    private static final int STACKED_CONCEPTS = 10;

    private ReportWriter() {
    }

    /** Writes {@code dir/index.html} (atomically) and returns its path. */
    public static Path write(ReportData data, Path dir) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(escape(data.title())).append("</title><style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1600px;padding:0 1em;color:#222}")
                .append("h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}")
                .append("pre{background:#f6f6f6;padding:1em;overflow-x:auto}")
                .append(".plots{display:flex;flex-wrap:wrap;gap:12px}.plots img{max-width:100%}")
                .append(".concept{margin:1em 0}.grid{display:flex;flex-wrap:wrap;gap:10px}")
                .append("figure{margin:0;width:110px;text-align:center;font-size:12px}")
                .append("figure img{width:64px;height:64px;image-rendering:pixelated;border:1px solid #eee}")
                .append("</style></head><body>\n");
        html.append("<h1>").append(escape(data.title())).append("</h1>\n<pre>");
        data.summary().forEach(line -> html.append(escape(line)).append('\n'));
        html.append("</pre>\n");

        html.append("<h2>Loss terms over training steps</h2>\n<div class=\"plots\">");
        for (String term : List.of("total", "contrastive", "concept", "embedding")) {
            plot(html, "loss-" + term, Charts.lines("L_" + term, "step", "loss", List.of(lossSeries(data.losses(), term)), List.of()));
        }
        html.append("</div>\n");

        html.append("<h2>Evaluation on the held-out split, per checkpoint</h2>\n<div class=\"plots\">");
        plot(html, "evaluation", Charts.lines("held-out evaluation", "training step", "share",
                evaluationSeries(data.checkpoints()), List.of()));
        html.append("</div>\n");

        if (data.accuracy() != null) {
            ReportData.AccuracyHeatMap a = data.accuracy();
            html.append("<h2>Continual evaluation: zero-shot top-1 per bucket, per checkpoint</h2>\n<div class=\"plots\">");
            plot(html, "accuracy-matrix", Charts.heatMap("accuracy matrix A[checkpoint][bucket] (* = not trained yet)",
                    "bucket", "checkpoint", a.buckets(), a.rows(), a.top1(), a.future()));
            html.append("</div>\n<ul>");
            a.notes().forEach(note -> html.append("<li>").append(escape(note)).append("</li>"));
            html.append("</ul>\n");
        }

        html.append("<h2>Concept sizes over time</h2>\n<div class=\"plots\">");
        plot(html, "concept-sizes", conceptSizes(data.conceptSizes()));
        html.append("</div>\n");

        html.append("<h2>Drift per window</h2>\n<p>Red bands: windows at ALERT; orange: WARN.</p>\n<div class=\"plots\">");
        plot(html, "drift", drift(data.drift()));
        html.append("</div>\n<ul class=\"drift\">");
        data.drift().stream().filter(p -> !p.level().equals("OK"))
                .forEach(p -> html.append("<li><code>").append(escape(p.line())).append("</code></li>"));
        html.append("</ul>\n");

        html.append("<h2>Examples per concept</h2>\n");
        for (ReportData.ConceptExamples concept : data.concepts()) {
            html.append("<div class=\"concept\"><h3>concept ").append(concept.concept()).append(" · weight ")
                    .append(String.format("%.0f", concept.size())).append(" · ").append(escape(concept.words()))
                    .append("</h3><div class=\"grid\">");
            for (ReportData.Example example : concept.examples()) {
                html.append("<figure><img class=\"example\" alt=\"").append(escape(example.caption())).append("\" src=\"data:")
                        .append(escape(example.mediaType())).append(";base64,")
                        .append(Base64.getEncoder().encodeToString(example.image())).append("\"><figcaption>")
                        .append(escape(example.caption())).append("</figcaption></figure>");
            }
            html.append("</div></div>\n");
        }
        // Lets a headless browser (and a test) tell how many charts actually decoded.
        html.append("<script>window.addEventListener('load',function(){var p=document.querySelectorAll('img.plot');")
                .append("var ok=0;p.forEach(function(i){if(i.complete&&i.naturalWidth>0)ok++;});")
                .append("document.body.setAttribute('data-plots-rendered',ok+'/'+p.length);});</script>\n");
        html.append("</body></html>\n");
        return writeAtomically(dir, html.toString());
    }

    private static void plot(StringBuilder html, String id, String dataUri) {
        html.append("<img class=\"plot\" id=\"").append(id).append("\" alt=\"").append(id).append("\" src=\"")
                .append(dataUri).append("\">");
    }

    private static Charts.Series lossSeries(List<ReportData.LossPoint> losses, String term) {
        double[] x = new double[losses.size()];
        double[] y = new double[losses.size()];
        for (int i = 0; i < losses.size(); i++) {
            ReportData.LossPoint p = losses.get(i);
            x[i] = p.step();
            y[i] = switch (term) {
                case "embedding" -> p.embedding();
                case "concept" -> p.concept();
                case "contrastive" -> p.contrastive();
                default -> p.total();
            };
        }
        return new Charts.Series(term, x, y);
    }

    private static List<Charts.Series> evaluationSeries(List<ReportData.CheckpointPoint> checkpoints) {
        List<Charts.Series> series = new ArrayList<>();
        for (Map.Entry<String, String> metric : EVAL_METRICS.entrySet()) {
            double[] x = new double[checkpoints.size()];
            double[] y = new double[checkpoints.size()];
            boolean any = false;
            for (int i = 0; i < checkpoints.size(); i++) {
                x[i] = checkpoints.get(i).step();
                y[i] = checkpoints.get(i).metrics().getOrDefault(metric.getKey(), Double.NaN);
                any |= Double.isFinite(y[i]);
            }
            if (any) {
                series.add(new Charts.Series(metric.getValue(), x, y));
            }
        }
        return series;
    }

    private static String conceptSizes(List<ReportData.ConceptSizes> sizes) {
        if (sizes.isEmpty()) {
            return Charts.lines("concept sizes (no snapshot yet)", "records seen", "weight", List.of(), List.of());
        }
        float[] last = sizes.get(sizes.size() - 1).weights();
        List<Integer> order = new ArrayList<>();
        for (int k = 0; k < last.length; k++) {
            order.add(k);
        }
        order.sort(Comparator.comparingDouble((Integer k) -> -last[k]));
        List<Integer> shown = order.subList(0, Math.min(STACKED_CONCEPTS, order.size()));
        double[] x = new double[sizes.size()];
        Map<String, double[]> series = new LinkedHashMap<>();
        for (int k : shown) {
            series.put("concept " + k, new double[sizes.size()]);
        }
        double[] other = new double[sizes.size()];
        for (int i = 0; i < sizes.size(); i++) {
            ReportData.ConceptSizes s = sizes.get(i);
            x[i] = s.recordsSeen();
            for (int k = 0; k < s.weights().length; k++) {
                double[] target = shown.contains(k) ? series.get("concept " + k) : other;
                target[i] += s.weights()[k];
            }
        }
        if (order.size() > shown.size()) {
            series.put("other " + (order.size() - shown.size()), other);
        }
        return Charts.stackedAreas("cluster weight per concept (decayed counts)", "records seen", "weight", x, series);
    }

    private static String drift(List<ReportData.DriftPoint> drift) {
        double[] x = new double[drift.size()];
        double[] js = new double[drift.size()];
        double[] novelty = new double[drift.size()];
        double[] displacement = new double[drift.size()];
        double[] mmd = new double[drift.size()];
        double[] top = new double[drift.size()];
        List<Charts.Band> bands = new ArrayList<>();
        for (int i = 0; i < drift.size(); i++) {
            ReportData.DriftPoint p = drift.get(i);
            x[i] = p.window();
            js[i] = p.jsDivergence();
            novelty[i] = p.noveltyRate();
            displacement[i] = p.displacement();
            mmd[i] = p.mmd();
            top[i] = p.meanTopProbability();
            if (p.level().equals("ALERT") || p.level().equals("WARN")) {
                bands.add(new Charts.Band(p.window() - 0.5, p.window() + 0.5,
                        p.level().equals("ALERT") ? new Color(0xd62728) : new Color(0xff7f0e)));
            }
        }
        return Charts.lines("drift metrics", "window", "value", List.of(
                new Charts.Series("Jensen-Shannon divergence", x, js),
                new Charts.Series("novelty rate", x, novelty),
                new Charts.Series("centroid displacement (× within-cluster distance)", x, displacement),
                new Charts.Series("MMD² of the embeddings", x, mmd),
                new Charts.Series("mean top-1 label probability", x, top)), bands);
    }

    private static Path writeAtomically(Path dir, String html) {
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve("index.html");
            Path temp = Files.createTempFile(dir, "index", ".html.tmp");
            Files.writeString(temp, html, StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report in " + dir + ": " + e.getMessage(), e);
        }
    }

    static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
