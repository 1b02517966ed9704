package io.tideline.demo;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The soak's samples as one PNG: four panels against minutes, each starting at zero so a trend cannot hide. */
final class SoakChart {
    private static final int W = 640;
    private static final int H = 360;

    private SoakChart() {
    }

    static void write(List<SoakSample> samples, String title, Path png) throws Exception {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(2 * W, 2 * H + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(java.awt.Color.BLACK);
        g.drawString(title, 10, 25);
        panel(samples, "Heap after full GC and RSS (MB)", g, 0, 0,
                new String[] {"heap", "RSS"}, List.of(SoakSample::heapMb, SoakSample::rssMb));
        panel(samples, "WAL held by the slot (MB)", g, W, 0, new String[] {"retained WAL"}, List.of(SoakSample::walMb));
        panel(samples, "Epoch commit, mean of the minute (ms)", g, 0, H, new String[] {"epoch commit"},
                List.of(SoakSample::epochCommitMs));
        panel(samples, "Kafka commit-to-ack p99 (ms)", g, W, H, new String[] {"p99"}, List.of(SoakSample::kafkaP99Ms));
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static void panel(List<SoakSample> samples, String title, Graphics2D g, int x, int y, String[] names,
                              List<ToDoubleFunction<SoakSample>> values) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int i = 0; i < names.length; i++) {
            XYSeries series = new XYSeries(names[i]);
            for (SoakSample s : samples) series.add(s.minute(), values.get(i).applyAsDouble(s));
            data.addSeries(series);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "minute", null, data);
        chart.getXYPlot().getRangeAxis().setLowerBound(0);
        ((org.jfree.chart.axis.NumberAxis) chart.getXYPlot().getRangeAxis()).setAutoRangeIncludesZero(true);
        chart.draw(g, new java.awt.geom.Rectangle2D.Double(x, y + 40, W, H));
    }
}
