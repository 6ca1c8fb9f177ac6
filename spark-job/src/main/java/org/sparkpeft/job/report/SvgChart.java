package org.sparkpeft.job.report;

import java.util.List;
import java.util.Locale;

/** A small self-contained SVG line chart (no scripts, no fonts or files from the network). */
final class SvgChart {

  /** One line: name, colour, points (x, y). */
  record Series(String name, String color, List<double[]> points) {}

  private static final int WIDTH = 560;
  private static final int HEIGHT = 240;
  private static final int LEFT = 52;
  private static final int RIGHT = 16;
  private static final int TOP = 16;
  private static final int BOTTOM = 36;

  private SvgChart() {}

  static String render(String title, String xLabel, List<Series> series) {
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double[] p : s.points()) {
        minX = Math.min(minX, p[0]);
        maxX = Math.max(maxX, p[0]);
        minY = Math.min(minY, p[1]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg role=\"img\" aria-label=\"%s\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">", Html.escape(title), WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" "
        + "stroke=\"#ccc\"/>", LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
    if (minX == Double.POSITIVE_INFINITY) {
      return svg.append(text(WIDTH / 2.0, HEIGHT / 2.0, "no data", "middle")).append("</svg>").toString();
    }
    double pad = Math.max((maxY - minY) * 0.05, Math.max(Math.abs(maxY), 1e-9) * 0.002);
    minY -= pad;
    maxY += pad;
    if (maxX == minX) {
      maxX = minX + 1;
    }
    for (int i = 0; i <= 4; i++) {
      double value = minY + (maxY - minY) * i / 4;
      double y = y(value, minY, maxY);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>",
          LEFT, WIDTH - RIGHT, y, y));
      svg.append(text(LEFT - 6, y + 4, String.format(Locale.ROOT, "%.4g", value), "end"));
    }
    svg.append(text(LEFT, HEIGHT - 8, String.format(Locale.ROOT, "%.0f", minX), "start"));
    svg.append(text(WIDTH - RIGHT, HEIGHT - 8, String.format(Locale.ROOT, "%.0f", maxX), "end"));
    svg.append(text((LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 8, xLabel, "middle"));
    int legend = 0;
    for (Series s : series) {
      StringBuilder path = new StringBuilder();
      for (double[] p : s.points()) {
        path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
            x(p[0], minX, maxX), y(p[1], minY, maxY)));
      }
      svg.append(String.format("<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>", path, s.color()));
      for (double[] p : s.points()) {
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
            x(p[0], minX, maxX), y(p[1], minY, maxY), s.color()));
      }
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>",
          LEFT + 10 + legend * 140, TOP + 8, s.color()));
      svg.append(text(LEFT + 24 + legend * 140, TOP + 17, s.name(), "start"));
      legend++;
    }
    return svg.append("</svg>").toString();
  }

  private static double x(double value, double min, double max) {
    return LEFT + (value - min) / (max - min) * (WIDTH - LEFT - RIGHT);
  }

  private static double y(double value, double min, double max) {
    return HEIGHT - BOTTOM - (value - min) / (max - min) * (HEIGHT - TOP - BOTTOM);
  }

  private static String text(double x, double y, String content, String anchor) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-family=\"sans-serif\" "
        + "text-anchor=\"%s\" fill=\"#333\">%s</text>", x, y, anchor, Html.escape(content));
  }
}
