package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report's charts, one section per workload (the runs of every system and fsync policy on it): records/s
 * over time, which for a fault case is the failover timeline with the fault and heal marked, and the latency
 * distribution (send solid, end-to-end dashed) on a percentile axis that stretches the tail.
 */
final class ReportCharts {
    /** The CDF's x axis is -log10(1 - p): 0 at p=0, 1 at 90%, 2 at 99%... capped at 99.999%. */
    private static final double CDF_X_MAX = 5;
    private static final List<SvgChart.Tick> CDF_TICKS = List.of(new SvgChart.Tick(0, "0%"),
            new SvgChart.Tick(1, "90%"), new SvgChart.Tick(2, "99%"), new SvgChart.Tick(3, "99.9%"),
            new SvgChart.Tick(4, "99.99%"), new SvgChart.Tick(5, "99.999%"));

    private ReportCharts() {}

    static void workloads(StringBuilder h, BenchReport r) {
        Map<String, List<CaseResult>> groups = new LinkedHashMap<>();
        for (CaseResult c : r.cases()) {
            if (c.ok()) {
                groups.computeIfAbsent(c.spec().workloadKey(), k -> new ArrayList<>()).add(c);
            }
        }
        if (groups.isEmpty()) {
            return;
        }
        h.append("<h2>Over time and latency distributions</h2>\n");
        for (Map.Entry<String, List<CaseResult>> g : groups.entrySet()) {
            List<CaseResult> runs = g.getValue();
            boolean fault = runs.get(0).spec().fault() != Fault.NONE;
            h.append("<h3>").append(HtmlReport.esc(g.getKey())).append("</h3>\n");
            h.append(SvgChart.render(fault ? "Failover timeline: acknowledged records/s" : "Throughput over time",
                    "seconds since the first send", "acknowledged records/s", throughputSeries(runs),
                    markers(runs), null, false)).append('\n');
            h.append(SvgChart.render("Latency distribution (send solid, end-to-end dashed)", "percentile",
                    "latency ms (log)", cdfSeries(runs), List.of(), CDF_TICKS, true)).append('\n');
            if (fault) {
                events(h, runs);
            }
        }
    }

    private static String name(CaseResult c) {
        return "#" + c.index() + " " + c.system() + (c.system().equals("kafka") ? "" : " fsync=" + c.spec().fsync());
    }

    private static List<SvgChart.Series> throughputSeries(List<CaseResult> runs) {
        List<SvgChart.Series> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            CaseResult c = runs.get(i);
            List<double[]> pts = new ArrayList<>();
            for (SecondSample s : c.seconds()) {
                pts.add(new double[] {s.atS(), s.recordsPerS()});
            }
            out.add(new SvgChart.Series(name(c), SvgChart.PALETTE[i % SvgChart.PALETTE.length], false, pts));
        }
        return out;
    }

    private static List<SvgChart.Series> cdfSeries(List<CaseResult> runs) {
        List<SvgChart.Series> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            CaseResult c = runs.get(i);
            String color = SvgChart.PALETTE[i % SvgChart.PALETTE.length];
            out.add(new SvgChart.Series(name(c) + " send", color, false, cdfPoints(c.sendCdf())));
            out.add(new SvgChart.Series(name(c) + " end-to-end", color, true, cdfPoints(c.e2eCdf())));
        }
        return out;
    }

    static List<double[]> cdfPoints(List<double[]> percentileMs) {
        List<double[]> out = new ArrayList<>();
        for (double[] p : percentileMs) {
            double rest = 1 - p[0] / 100;
            double x = rest <= 0 ? CDF_X_MAX : Math.min(CDF_X_MAX, -Math.log10(rest));
            out.add(new double[] {x, p[1]});
        }
        return out;
    }

    private static List<SvgChart.Marker> markers(List<CaseResult> runs) {
        List<SvgChart.Marker> out = new ArrayList<>();
        for (CaseResult c : runs) {
            for (Timeline.Event e : c.events()) {
                String what = e.what();
                out.add(new SvgChart.Marker(e.atS(), c.system() + ": " + what.substring(0, what.indexOf(':') > 0
                        ? what.indexOf(':') : what.length())));
            }
        }
        return out;
    }

    private static void events(StringBuilder h, List<CaseResult> runs) {
        h.append("<table><tr><th class=\"l\">run</th><th>at s</th><th class=\"l\">event</th></tr>");
        for (CaseResult c : runs) {
            for (Timeline.Event e : c.events()) {
                h.append("<tr><td class=\"l\">").append(HtmlReport.esc(name(c))).append("</td><td>")
                        .append(HtmlReport.fmt(e.atS(), 2)).append("</td><td class=\"l\">")
                        .append(HtmlReport.esc(e.what())).append("</td></tr>");
            }
            h.append("<tr><td class=\"l\">").append(HtmlReport.esc(name(c))).append("</td><td>")
                    .append(HtmlReport.fmt(c.ackGap().startS(), 2)).append("</td><td class=\"l\">longest gap without "
                    + "acknowledgements: ").append(HtmlReport.fmt(c.ackGap().longestMs(), 0)).append(" ms</td></tr>");
        }
        h.append("</table>\n");
    }
}
