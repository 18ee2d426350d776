package dev.kclip.launcher.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultTableXYDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Line and area charts and heat maps rendered to PNG (JFreeChart, headless), for embedding in the report as data URIs. */
public final class Charts {

    /** One named line: x and y values of equal length. */
    public record Series(String name, double[] x, double[] y) {
    }

    /** A highlighted x range (e.g. a drift window at level ALERT). */
    public record Band(double from, double to, Color color) {
    }

    private static final int WIDTH = 760;
    private static final int HEIGHT = 320;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf), new Color(0xaec7e8)};

    private Charts() {
    }

    /** A line chart, optionally with highlighted x ranges behind the lines. */
    public static String lines(String title, String xLabel, String yLabel, List<Series> series, List<Band> bands) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Series s : series) {
            XYSeries xy = new XYSeries(s.name(), false, true);
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i])) {
                    xy.add(s.x()[i], s.y()[i]);
                }
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = style(chart);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, series.stream().anyMatch(s -> s.x().length < 30));
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(1.8f));
        }
        plot.setRenderer(renderer);
        for (Band band : bands) {
            IntervalMarker marker = new IntervalMarker(band.from(), band.to(), band.color());
            marker.setAlpha(0.25f);
            plot.addDomainMarker(marker, Layer.BACKGROUND);
        }
        return png(chart);
    }

    /** A stacked area chart: each series' share of the whole over x (all series on the same x values). */
    public static String stackedAreas(String title, String xLabel, String yLabel, double[] x, Map<String, double[]> series) {
        DefaultTableXYDataset data = new DefaultTableXYDataset();
        for (Map.Entry<String, double[]> s : series.entrySet()) {
            XYSeries xy = new XYSeries(s.getKey(), false, false);
            for (int i = 0; i < x.length; i++) {
                xy.add(x[i], s.getValue()[i]);
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createStackedXYAreaChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = style(chart);
        for (int i = 0; i < series.size(); i++) {
            plot.getRenderer().setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        return png(chart);
    }

    /**
     * A heat map of values in [0, 1]: {@code values[row][column]}, rows top to bottom, NaN cells left blank; each
     * cell shows its value in percent and, when {@code marked[row][column]}, an asterisk.
     */
    public static String heatMap(String title, String columnLabel, String rowLabel, List<String> columns,
            List<String> rows, double[][] values, boolean[][] marked) {
        DefaultXYZDataset data = new DefaultXYZDataset();
        List<double[]> cells = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                if (Double.isFinite(values[r][c])) {
                    cells.add(new double[] {c, r, values[r][c]});
                }
            }
        }
        double[][] xyz = new double[3][cells.size()];
        for (int i = 0; i < cells.size(); i++) {
            for (int d = 0; d < 3; d++) {
                xyz[d][i] = cells.get(i)[d];
            }
        }
        data.addSeries("accuracy", xyz);
        SymbolAxis x = new SymbolAxis(columnLabel, columns.toArray(String[]::new));
        x.setVerticalTickLabels(columns.size() > 6);
        x.setGridBandsVisible(false);
        SymbolAxis y = new SymbolAxis(rowLabel, rows.toArray(String[]::new));
        y.setInverted(true);
        y.setGridBandsVisible(false);
        XYBlockRenderer renderer = new XYBlockRenderer();
        PaintScale scale = new BlueScale();
        renderer.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        for (double[] cell : cells) {
            int r = (int) cell[1];
            int c = (int) cell[0];
            XYTextAnnotation label = new XYTextAnnotation(String.format(Locale.ROOT, "%.0f%s", 100 * cell[2],
                    marked[r][c] ? "*" : ""), c, r);
            label.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, rows.size() > 16 ? 9 : 11));
            label.setPaint(cell[2] > 0.55 ? Color.WHITE : Color.BLACK);
            plot.addAnnotation(label);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        NumberAxis legendAxis = new NumberAxis("top-1");
        legendAxis.setRange(0, 1);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        return png(chart, WIDTH, Math.max(HEIGHT, 110 + 22 * rows.size() + (columns.size() > 6 ? 90 : 0)));
    }

    /** White at 0 to dark blue at 1. */
    private static final class BlueScale implements PaintScale {
        private static final Color LOW = new Color(0xf7fbff);
        private static final Color HIGH = new Color(0x08306b);

        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 1;
        }

        @Override
        public Paint getPaint(double value) {
            double t = Math.max(0, Math.min(1, value));
            return new Color(mix(LOW.getRed(), HIGH.getRed(), t), mix(LOW.getGreen(), HIGH.getGreen(), t),
                    mix(LOW.getBlue(), HIGH.getBlue(), t));
        }

        private static int mix(int a, int b, double t) {
            return (int) Math.round(a + (b - a) * t);
        }
    }

    private static XYPlot style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        return plot;
    }

    /** The chart as a {@code data:image/png;base64,...} URI. */
    private static String png(JFreeChart chart) {
        return png(chart, WIDTH, HEIGHT);
    }

    private static String png(JFreeChart chart, int width, int height) {
        BufferedImage image = chart.createBufferedImage(width, height);
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
