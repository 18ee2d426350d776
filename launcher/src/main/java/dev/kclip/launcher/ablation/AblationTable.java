package dev.kclip.launcher.ablation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ablation's result: one row per starting point and objective, each figure as mean ± sd over the row's seeds;
 * as aligned text for the terminal and as a Markdown table.
 */
public final class AblationTable {

    /** A figure shown: its header and the metric name it reads. */
    public record Column(String header, String metric) {
    }

    /** The figures shown, in order. */
    public static final List<Column> COLUMNS = List.of(
            new Column("zero-shot top-1", "zero_shot_top1"),
            new Column("balanced top-1", "zero_shot_balanced_top1"),
            new Column("majority share", "zero_shot_majority_share"),
            new Column("img→txt R@5", "image_to_text_r5"),
            new Column("txt→img R@5", "text_to_image_r5"),
            new Column("kNN@10 E_T", "teacher_knn_overlap_10"),
            new Column("kNN@10 W_e(E_T)", "teacher_knn_overlap_10_projected"),
            new Column("zero-shot top-1 W_e", "zero_shot_teacher_top1"),
            new Column("L_emb last 10", AblationRun.FINAL_EMBEDDING_LOSS));

    /**
     * One configuration.
     *
     * @param init where the student started ({@code random} or the base's name)
     * @param objective the loss weights
     * @param runs the metrics of each seed's run
     */
    public record Row(String init, Objective objective, List<Map<String, Double>> runs) {

        public Row {
            runs = List.copyOf(runs);
        }

        /** {@code metric} over the seeds; a run without it counts as not finite. */
        public MeanSd figure(String metric) {
            List<Double> values = new ArrayList<>();
            for (Map<String, Double> run : runs) {
                Double v = run.get(metric);
                values.add(v == null ? Double.NaN : v);
            }
            return MeanSd.of(values);
        }
    }

    private final List<Row> rows;

    public AblationTable(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public List<Row> rows() {
        return rows;
    }

    /** Aligned columns, a header line and one line per row. */
    public String text() {
        List<List<String>> cells = cells();
        int[] widths = new int[cells.get(0).size()];
        for (List<String> line : cells) {
            for (int c = 0; c < line.size(); c++) {
                widths[c] = Math.max(widths[c], line.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> line : cells) {
            StringBuilder l = new StringBuilder();
            for (int c = 0; c < line.size(); c++) {
                String cell = line.get(c);
                // names left-aligned, numbers right-aligned
                l.append(c < 2 ? pad(cell, widths[c], false) : pad(cell, widths[c], true)).append("  ");
            }
            out.append(l.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** A GitHub Markdown table, numbers right-aligned. */
    public String markdown() {
        List<List<String>> cells = cells();
        StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", cells.get(0))).append(" |\n|");
        for (int c = 0; c < cells.get(0).size(); c++) {
            out.append(c < 2 ? "---|" : "---:|");
        }
        out.append('\n');
        for (List<String> line : cells.subList(1, cells.size())) {
            out.append("| ").append(String.join(" | ", line)).append(" |\n");
        }
        return out.toString();
    }

    private List<List<String>> cells() {
        List<List<String>> cells = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("init", "objective", "α", "β", "γ", "seeds"));
        COLUMNS.forEach(c -> header.add(c.header()));
        cells.add(header);
        for (Row row : rows) {
            List<String> line = new ArrayList<>(List.of(row.init(), row.objective().name(),
                    weight(row.objective().weights().alpha()), weight(row.objective().weights().beta()),
                    weight(row.objective().weights().gamma()), Integer.toString(row.runs().size())));
            COLUMNS.forEach(c -> line.add(row.figure(c.metric()).format()));
            cells.add(line);
        }
        return cells;
    }

    private static String weight(double w) {
        return w == Math.rint(w) ? Long.toString((long) w) : String.format(Locale.ROOT, "%s", w);
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
