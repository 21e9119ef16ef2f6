package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Inline SVG line charts for the HTML report, drawn here so the report needs no script and no network. Points
 * are given in data units; the x axis is linear (or uses the caller's ticks, for a transformed axis), the y axis
 * linear from 0 or logarithmic by decades. Pure.
 */
final class SvgChart {
    static final String[] PALETTE = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#17becf", "#7f7f7f", "#bcbd22"};
    private static final int WIDTH = 760;
    private static final int HEIGHT = 320;
    private static final int LEFT = 70;
    private static final int RIGHT = 40;
    private static final int TOP = 30;
    private static final int BOTTOM = 45;
    private static final int LEGEND_ROW = 16;

    record Series(String name, String color, boolean dashed, List<double[]> points) {}

    record Tick(double value, String label) {}

    record Marker(double x, String label) {}

    private SvgChart() {}

    static String render(String title, String xLabel, String yLabel, List<Series> series, List<Marker> markers,
                         List<Tick> xTicks, boolean logY) {
        List<Series> drawn = series.stream().filter(s -> s.points().stream().anyMatch(SvgChart::finite)).toList();
        int legendH = LEGEND_ROW * drawn.size();
        int h = HEIGHT + legendH;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" class=\"chart\" role=\"img\">", WIDTH, h, WIDTH, h));
        out.append("<title>").append(HtmlReport.esc(title)).append("</title>");
        text(out, WIDTH / 2.0, 18, "middle", "title", title);
        if (drawn.isEmpty()) {
            text(out, WIDTH / 2.0, HEIGHT / 2.0, "middle", "", "no data");
            return out.append("</svg>").toString();
        }
        double[] xr = range(drawn, 0, xTicks);
        double[] yr = logY ? logRange(drawn) : linearRange(drawn);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        Scale sx = v -> LEFT + (v - xr[0]) / (xr[1] - xr[0]) * plotW;
        Scale sy = v -> {
            double t = logY ? (Math.log10(Math.max(v, Math.pow(10, yr[0]))) - yr[0]) / (yr[1] - yr[0])
                    : (v - yr[0]) / (yr[1] - yr[0]);
            return TOP + plotH - t * plotH;
        };
        out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"plot\"/>",
                LEFT, TOP, plotW, plotH));
        for (Tick t : xTicks != null ? xTicks : linearTicks(xr[0], xr[1])) {
            double x = sx.at(t.value());
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>",
                    x, TOP, x, TOP + plotH));
            text(out, x, TOP + plotH + 15, "middle", "tick", t.label());
        }
        List<Tick> yTicks = logY ? logTicks(yr[0], yr[1]) : linearTicks(yr[0], yr[1]);
        for (Tick t : yTicks) {
            double y = sy.at(t.value());
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>",
                    LEFT, y, LEFT + plotW, y));
            text(out, LEFT - 5, y + 4, "end", "tick", t.label());
        }
        text(out, LEFT + plotW / 2.0, TOP + plotH + 35, "middle", "axis", xLabel);
        out.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" class=\"axis\" "
                + "transform=\"rotate(-90 14 %.1f)\">%s</text>", TOP + plotH / 2.0, TOP + plotH / 2.0,
                HtmlReport.esc(yLabel)));
        final int labelRows = 4;
        final int labelRowH = 11;
        for (int i = 0; i < markers.size(); i++) {
            Marker m = markers.get(i);
            if (m.x() < xr[0] || m.x() > xr[1]) {
                continue;
            }
            double x = sx.at(m.x());
            out.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"marker\"/>",
                    x, TOP, x, TOP + plotH));
            // staggered, so markers at nearly the same time keep readable labels
            text(out, x + 3, TOP + 12 + labelRowH * (i % labelRows), "start", "marker-label", m.label());
        }
        for (Series s : drawn) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                if (finite(p)) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.at(p[0]), sy.at(p[1])));
                }
            }
            out.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s "
                    + "points=\"%s\"/>", s.color(), s.dashed() ? " stroke-dasharray=\"6 4\"" : "", pts.toString().trim()));
        }
        for (int i = 0; i < drawn.size(); i++) {
            Series s = drawn.get(i);
            double y = HEIGHT + i * LEGEND_ROW;
            out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"2\"%s/>", LEFT, y - 4, LEFT + 24, y - 4, s.color(),
                    s.dashed() ? " stroke-dasharray=\"6 4\"" : ""));
            text(out, LEFT + 30, y, "start", "legend", s.name());
        }
        return out.append("</svg>").toString();
    }

    private interface Scale {
        double at(double v);
    }

    private static boolean finite(double[] p) {
        return Double.isFinite(p[0]) && Double.isFinite(p[1]);
    }

    private static double[] range(List<Series> series, int axis, List<Tick> ticks) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (finite(p)) {
                    lo = Math.min(lo, p[axis]);
                    hi = Math.max(hi, p[axis]);
                }
            }
        }
        if (ticks != null) {
            for (Tick t : ticks) {
                lo = Math.min(lo, t.value());
                hi = Math.max(hi, t.value());
            }
        }
        if (hi <= lo) {
            hi = lo + 1;
        }
        return new double[] {lo, hi};
    }

    private static double[] linearRange(List<Series> series) {
        double hi = range(series, 1, null)[1];
        return new double[] {0, niceStep(hi / 5) * Math.ceil(hi / niceStep(hi / 5))};
    }

    /** Decades (log10) from below the smallest positive value to above the largest. */
    private static double[] logRange(List<Series> series) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Series s : series) {
            for (double[] p : s.points()) {
                if (finite(p) && p[1] > 0) {
                    lo = Math.min(lo, p[1]);
                    hi = Math.max(hi, p[1]);
                }
            }
        }
        if (hi == 0) {
            return new double[] {0, 1};
        }
        double a = Math.floor(Math.log10(lo));
        double b = Math.ceil(Math.log10(hi));
        return new double[] {a, b > a ? b : a + 1};
    }

    static double niceStep(double raw) {
        if (raw <= 0 || !Double.isFinite(raw)) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * mag;
    }

    static List<Tick> linearTicks(double lo, double hi) {
        double step = niceStep((hi - lo) / 5);
        List<Tick> out = new ArrayList<>();
        for (double v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
            out.add(new Tick(v, label(v)));
        }
        return out;
    }

    private static List<Tick> logTicks(double loDecade, double hiDecade) {
        List<Tick> out = new ArrayList<>();
        for (int d = (int) loDecade; d <= (int) hiDecade; d++) {
            double v = Math.pow(10, d);
            out.add(new Tick(v, label(v)));
        }
        return out;
    }

    static String label(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static void text(StringBuilder out, double x, double y, String anchor, String cls, String text) {
        out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s>%s</text>", x, y,
                anchor, cls.isEmpty() ? "" : " class=\"" + cls + "\"", HtmlReport.esc(text)));
    }
}
