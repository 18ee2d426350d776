package dev.kclip.launcher.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The report's charts as specs for the shared chart script ({@code dev/kclip/common/live/charts.js}, the one the
 * live page draws with): line charts, heat maps, and the pipeline's own charts (held-out figures per checkpoint,
 * concept sizes, drift per window) from the records' figures, each a small JSON object the script turns into SVG.
 * Non-finite values become {@code null}: a gap, or a blank cell.
 */
public final class Charts {

    /** One named line: x and y values of equal length. */
    public record Series(String name, double[] x, double[] y) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Concepts drawn as their own band in the size chart; the rest are summed. */
    private static final int STACKED_CONCEPTS = 10;

    private Charts() {
    }

    /** A line chart. */
    public static ObjectNode lines(String title, String xLabel, String yLabel, List<Series> series) {
        ObjectNode spec = spec("lines", title, xLabel, yLabel);
        ArrayNode lines = spec.putArray("series");
        for (Series s : series) {
            ObjectNode line = lines.addObject().put("name", s.name());
            values(line.putArray("x"), s.x());
            values(line.putArray("y"), s.y());
        }
        return spec;
    }

    /** The held-out figures of each checkpoint, one line per figure any checkpoint has. */
    public static ObjectNode evaluation(List<ReportData.CheckpointPoint> checkpoints) {
        ObjectNode spec = JSON.createObjectNode().put("kind", "evaluation");
        ArrayNode points = spec.putArray("checkpoints");
        for (ReportData.CheckpointPoint c : checkpoints) {
            ObjectNode metrics = points.addObject().put("step", c.step()).putObject("metrics");
            c.metrics().forEach((name, value) -> number(metrics, name, value));
        }
        return spec;
    }

    /** The cluster weights at each centroid version, as stacked areas of the largest concepts. */
    public static ObjectNode conceptSizes(List<ReportData.ConceptSizes> sizes) {
        ObjectNode spec = JSON.createObjectNode().put("kind", "concepts").put("shown", STACKED_CONCEPTS);
        ArrayNode snapshots = spec.putArray("snapshots");
        for (ReportData.ConceptSizes s : sizes) {
            ArrayNode weights = snapshots.addObject().put("recordsSeen", s.recordsSeen()).putArray("weights");
            for (float w : s.weights()) {
                weights.add(w);
            }
        }
        return spec;
    }

    /** The drift statistics per window, with the windows at WARN and ALERT highlighted. */
    public static ObjectNode drift(List<ReportData.DriftPoint> drift) {
        ObjectNode spec = JSON.createObjectNode().put("kind", "drift");
        ArrayNode windows = spec.putArray("windows");
        for (ReportData.DriftPoint p : drift) {
            ObjectNode w = windows.addObject().put("window", p.window()).put("level", p.level());
            number(w, "js", p.jsDivergence());
            number(w, "novelty", p.noveltyRate());
            number(w, "displacement", p.displacement());
            number(w, "mmd", p.mmd());
            number(w, "top", p.meanTopProbability());
        }
        return spec;
    }

    /**
     * A heat map of values in [0, 1]: {@code values[row][column]}, rows top to bottom, NaN cells left blank; each
     * cell shows its value in percent and, when {@code marked[row][column]}, an asterisk.
     */
    public static ObjectNode heatMap(String title, String columnLabel, String rowLabel, List<String> columns,
            List<String> rows, double[][] values, boolean[][] marked) {
        ObjectNode spec = JSON.createObjectNode().put("kind", "heatmap").put("title", title)
                .put("columnLabel", columnLabel).put("rowLabel", rowLabel);
        columns.forEach(spec.putArray("columns")::add);
        rows.forEach(spec.putArray("rows")::add);
        ArrayNode cells = spec.putArray("values");
        ArrayNode marks = spec.putArray("marked");
        for (int r = 0; r < rows.size(); r++) {
            values(cells.addArray(), values[r]);
            ArrayNode row = marks.addArray();
            for (boolean m : marked[r]) {
                row.add(m);
            }
        }
        return spec;
    }

    private static ObjectNode spec(String kind, String title, String xLabel, String yLabel) {
        return JSON.createObjectNode().put("kind", kind).put("title", title).put("xLabel", xLabel).put("yLabel", yLabel);
    }

    private static void number(ObjectNode object, String field, double value) {
        if (Double.isFinite(value)) {
            object.put(field, value);
        } else {
            object.putNull(field);
        }
    }

    private static void values(ArrayNode array, double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                array.add(v);
            } else {
                array.addNull();
            }
        }
    }
}
