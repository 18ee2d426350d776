package dev.kclip.launcher.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.data.xy.DefaultTableXYDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Line and area charts rendered to PNG (JFreeChart, headless), for embedding in the report as data URIs. */
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
        BufferedImage image = chart.createBufferedImage(WIDTH, HEIGHT);
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
