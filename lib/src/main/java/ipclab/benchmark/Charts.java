package ipclab.benchmark;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import ipclab.language.Messages;

/**
 * Bar charts of the results, Java beside C for each mechanism, as images the notebook shows
 * ({@code display(image)} in JJava renders a {@link java.awt.image.RenderedImage} as PNG). Drawn
 * with XChart onto a plain {@link BufferedImage}, without a window: the JVM runs headless. Titles and
 * names follow the notebook's language ({@link Messages}); Chinese needs a CJK font that fontconfig
 * finds (fonts-noto-cjk), which the JDK's logical font {@code SansSerif} then falls back to.
 */
public final class Charts {
    public static final int WIDTH = 800, HEIGHT = 380;
    private static final Color JAVA = new Color(0xE76F00), C = new Color(0x5382A1);

    static {
        // Before the first AWT class: no display is needed, or looked for.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    /** The p50 round trip of messages of this size, in µs, each bar labelled with its value. */
    public static BufferedImage roundTrips(List<Measurement> results, int size) {
        return bars(results, Messages.text("chart.rtt.title", Sizes.label(size)), "µs",
                r -> r.rttMicros(size), "#,##0.##");
    }

    /** One-way throughput in MiB/s (higher is better). */
    public static BufferedImage throughput(List<Measurement> results) {
        return bars(results, Messages.text("chart.throughput.title"), "MiB/s", Measurement::mibps, "#,##0");
    }

    private static BufferedImage bars(List<Measurement> results, String title, String unit, ToDoubleFunction<Measurement> value, String pattern) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).yAxisTitle(unit).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);   // below the plot: never over a bar
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.BLACK);
        chart.getStyler().setLabelsPosition(1.0);
        chart.getStyler().setYAxisDecimalPattern(pattern);   // the bars' labels use it too
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        chart.getStyler().setAvailableSpaceFill(0.7);
        chart.getStyler().setOverlapped(false);
        for (String side : List.of("java", "c")) {
            List<String> names = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            for (Mechanism m : Mechanism.values()) {
                for (Measurement r : results) {
                    if (r.mechanism() == m && r.side().equals(side) && value.applyAsDouble(r) > 0) {
                        names.add(Messages.text("chart.mechanism." + m.label()));
                        values.add(value.applyAsDouble(r));
                    }
                }
            }
            if (!names.isEmpty()) {
                chart.addSeries(Messages.text(side.equals("java") ? "chart.series.java" : "chart.series.c"), names, values)
                        .setFillColor(side.equals("java") ? JAVA : C);
            }
        }
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            chart.paint(g, WIDTH, HEIGHT);
        } finally {
            g.dispose();
        }
        return image;
    }
}
