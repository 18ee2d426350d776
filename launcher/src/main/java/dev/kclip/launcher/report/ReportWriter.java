package dev.kclip.launcher.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kclip.common.live.LiveResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;

/**
 * Writes the run's report: one self-contained {@code index.html} (example images inline as data URIs, each chart a
 * spec drawn by the live page's chart script, which the page carries inline; nothing from elsewhere), so it opens
 * from disk or as a CI artifact.
 */
public final class ReportWriter {

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
                .append(".plots{display:flex;flex-wrap:wrap;gap:12px}.plots svg{max-width:100%;height:auto}")
                .append(".concept{margin:1em 0}.grid{display:flex;flex-wrap:wrap;gap:10px}")
                .append("figure{margin:0;width:110px;text-align:center;font-size:12px}")
                .append("figure img{width:64px;height:64px;image-rendering:pixelated;border:1px solid #eee}")
                .append("</style></head><body>\n");
        html.append("<h1>").append(escape(data.title())).append("</h1>\n<pre>");
        data.summary().forEach(line -> html.append(escape(line)).append('\n'));
        html.append("</pre>\n");

        html.append("<h2>Loss terms over training steps</h2>\n<div class=\"plots\">");
        for (String term : List.of("total", "contrastive", "concept", "embedding")) {
            plot(html, "loss-" + term, Charts.lines("L_" + term, "step", "loss", List.of(lossSeries(data.losses(), term))));
        }
        html.append("</div>\n");

        html.append("<h2>Evaluation on the held-out split, per checkpoint</h2>\n<div class=\"plots\">");
        plot(html, "evaluation", Charts.evaluation(data.checkpoints()));
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
        plot(html, "concept-sizes", Charts.conceptSizes(data.conceptSizes()));
        html.append("</div>\n");

        html.append("<h2>Drift per window</h2>\n<p>Red bands: windows at ALERT; orange: WARN.</p>\n<div class=\"plots\">");
        plot(html, "drift", Charts.drift(data.drift()));
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
        // Draws the charts and lets a headless browser (and a test) tell how many of them drew.
        html.append("<script>\n").append(LiveResources.chartScript()).append("</script>\n")
                .append("<script>window.addEventListener('load',function(){KclipCharts.drawAll(document.body);});</script>\n");
        html.append("</body></html>\n");
        return writeAtomically(dir, html.toString());
    }

    private static void plot(StringBuilder html, String id, ObjectNode spec) {
        html.append("<div class=\"plot\" id=\"").append(id).append("\" data-spec=\"").append(escape(spec.toString()))
                .append("\"></div>");
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
