package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The self-contained report: one XHTML file (well-formed XML, so tests parse it) with inline CSS and inline SVG
 * charts; no script, no external reference, so it opens anywhere without a network. Pure.
 */
final class HtmlReport {
    private static final String CSS = String.join("\n",
            "body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}",
            "table{border-collapse:collapse;margin:1em 0;font-size:13px}",
            "th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}",
            "th{background:#f3f3f3}td.l,th.l{text-align:left}",
            "tr.kafka td{background:#fbf7ee}.bad{color:#b00;font-weight:bold}.good{color:#070}",
            ".chart{margin:.5em 0;border:1px solid #eee}.plot{fill:#fff;stroke:#999}",
            ".grid{stroke:#eee}.tick{font-size:11px;fill:#555}.axis{font-size:12px}.title{font-size:14px;font-weight:bold}",
            ".legend{font-size:12px}.marker{stroke:#b00;stroke-dasharray:3 3}.marker-label{font-size:10px;fill:#b00}",
            ".note{background:#f6f8fa;border-left:4px solid #999;padding:.5em 1em}");

    private HtmlReport() {}

    static String render(BenchReport r) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>");
        h.append("<title>rlog bench ").append(esc(r.machine().startedAt().toString())).append("</title>");
        h.append("<style>").append(CSS).append("</style></head><body>\n");
        h.append("<h1>rlog bench</h1><p>Started ").append(esc(r.machine().startedAt().toString()))
                .append(", finished ").append(esc(r.finishedAt().toString())).append(" on ")
                .append(esc(r.machine().describe())).append(". Load average at start ")
                .append(esc(r.machine().loadAtStart())).append(", at end ").append(esc(r.loadAtEnd())).append(".</p>\n");
        headline(h, r);
        h.append("<div class=\"note\"><ul>");
        for (String n : r.notes()) {
            h.append("<li>").append(esc(n)).append("</li>");
        }
        h.append("</ul></div>\n");
        resultsTable(h, r);
        comparisonTable(h, r);
        stagesTable(h, r);
        lossTable(h, r);
        ReportCharts.workloads(h, r);
        manyPartitions(h, r.manyPartitions());
        keyValues(h, "Versions", r.versions());
        keyValues(h, "Settings", r.settings());
        errors(h, r);
        return h.append("</body></html>\n").toString();
    }

    private static void headline(StringBuilder h, BenchReport r) {
        r.headline().ifPresent(c -> {
            h.append("<p><b>Headline</b> (").append(esc(c.spec().label())).append("): ")
                    .append(esc(fmt(c.recordsPerS(), 0))).append(" records/s, send p99 ")
                    .append(esc(fmt(c.send().p99Ms(), 2))).append(" ms");
            r.comparisonOf(c).ifPresent(k -> h.append("; Kafka ").append(esc(fmt(k.kafka().recordsPerS(), 0)))
                    .append(" records/s; ratio rlog/Kafka <b>").append(esc(fmt(k.throughputRatio(), 2))).append("</b>"));
            h.append(".</p>\n");
        });
    }

    private static void resultsTable(StringBuilder h, BenchReport r) {
        h.append("<h2>Results</h2><p>Figures count the measured window (after the warm-up). Latencies in ms. "
                + "MB/s counts record values, 10^6 bytes. CPU: seconds used by the system's nodes during the "
                + "case; foreign: share of the machine used by other programs meanwhile; disk stall: seconds in "
                + "which every running task waited for I/O (the kernel's pressure-stall counter), which moves "
                + "latency between runs; unsynced MB: the machine's written data not yet on disk at the last "
                + "acknowledgement (page cache, Dirty + Writeback), which the bench writes out before the next "
                + "case; JIT s: the part of the node CPU their JIT compiler threads used (a JVM still compiling "
                + "its hot code).</p>\n<table><tr>"
                + "<th>#</th><th class=\"l\">system</th><th class=\"l\">case</th><th>records/s</th><th>MB/s</th>"
                + "<th>send p50</th><th>p99</th><th>p99.9</th><th>max</th><th>e2e p50</th><th>e2e p99</th>"
                + "<th>lost</th><th>dup</th><th>longest ack gap ms</th><th>node CPU s</th><th>foreign CPU</th>"
                + "<th>disk stall s</th><th>unsynced MB</th><th>JIT s</th>"
                + "<th>rlog/Kafka records/s</th><th>rlog/Kafka send p99</th></tr>\n");
        for (CaseResult c : r.cases()) {
            Comparison k = r.comparisonOf(c).orElse(null);
            h.append("<tr class=\"").append(esc(c.system())).append("\">");
            cells(h, List.of(Integer.toString(c.index()), c.system(), c.spec().label() + (c.spec().headline() ? " *" : ""),
                    fmt(c.recordsPerS(), 0), fmt(c.mbPerS(), 1), fmt(c.send().p50Ms(), 2), fmt(c.send().p99Ms(), 2),
                    fmt(c.send().p999Ms(), 2), fmt(c.send().maxMs(), 1), fmt(c.e2e().p50Ms(), 2),
                    fmt(c.e2e().p99Ms(), 2)), 3);
            lossCell(h, c.lost());
            lossCell(h, c.duplicates());
            cells(h, List.of(fmt(c.ackGap().longestMs(), 0),
                    c.cpu() == null ? "n/a" : fmt(c.cpu().sumOf(c.system() + "."), 1),
                    c.cpu() == null ? "n/a" : fmt(100 * c.cpu().foreignShare(), 0) + "%",
                    c.cpu() == null ? "n/a" : fmt(c.cpu().ioStallS(), 1),
                    c.cpu() == null ? "n/a" : fmt(c.cpu().unsyncedMbAtEnd(), 0),
                    c.cpu() == null ? "n/a" : fmt(c.cpu().jitOf(c.system() + "."), 1),
                    k == null ? "" : fmt(k.throughputRatio(), 2), k == null ? "" : fmt(k.ratio(x -> x.send().p99Ms()), 2)), 0);
            h.append("</tr>\n");
        }
        h.append("</table><p>* the headline case.</p>\n");
    }

    private static void comparisonTable(StringBuilder h, BenchReport r) {
        if (r.comparisons().isEmpty()) {
            return;
        }
        h.append("<h2>rlog / Kafka</h2><p>Each figure of an rlog case divided by the same figure of the identical "
                + "workload on Kafka. Throughput: above 1 favours rlog. Latency and gap: below 1 favours rlog.</p><table><tr>"
                + "<th class=\"l\">case</th>");
        List<String> names = new ArrayList<>(r.comparisons().get(0).ratios().keySet());
        for (String n : names) {
            h.append("<th>").append(esc(n.replace('_', ' '))).append("</th>");
        }
        h.append("</tr>\n");
        for (Comparison c : r.comparisons()) {
            h.append("<tr><td class=\"l\">").append(esc(c.rlog().spec().label())).append("</td>");
            for (double v : c.ratios().values()) {
                h.append("<td>").append(esc(fmt(v, 2))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** Where rlog's produce requests spent their time inside the nodes, per case (rlog's stage histograms). */
    private static void stagesTable(StringBuilder h, BenchReport r) {
        List<CaseResult> withStages = r.cases().stream().filter(c -> !c.nodeStages().isEmpty()).toList();
        if (withStages.isEmpty()) {
            return;
        }
        h.append("<h2>Inside the rlog nodes</h2><p>Where the measured window's produce requests spent their time in "
                + "the partition leaders (the nodes' <code>rlog_produce_stage_seconds</code>, read at the end of the "
                + "warm-up and at the last acknowledgement), p50 / p99 in ms. queue: behind the partition's entry in "
                + "flight; admit: until Ratis gave the entry its log index; commit: from then until apply began "
                + "(replication, the quorum's fsyncs, the commit); apply: writing it; raft: proposing to Ratis's "
                + "reply; produce: the handler's call to its answer. The client's send latency adds the producer's "
                + "linger, the network and both ends' threads. A node killed by the case's fault is left out.</p>"
                + "<table><tr><th>#</th><th class=\"l\">case</th>");
        for (String stage : ResultsWriter.STAGES) {
            h.append("<th>").append(esc(stage)).append("</th>");
        }
        h.append("<th>requests</th></tr>\n");
        for (CaseResult c : withStages) {
            h.append("<tr class=\"").append(esc(c.system())).append("\">");
            List<String> row = new ArrayList<>(List.of(Integer.toString(c.index()), c.spec().label()));
            for (String stage : ResultsWriter.STAGES) {
                NodeStages.Figure f = c.nodeStages().get(stage);
                row.add(f == null ? "n/a" : fmt(f.p50Ms(), 2) + " / " + fmt(f.p99Ms(), 2));
            }
            NodeStages.Figure produce = c.nodeStages().get("produce");
            row.add(produce == null ? "n/a" : Long.toString(produce.count()));
            cells(h, row, 2);
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void lossTable(StringBuilder h, BenchReport r) {
        h.append("<h2>Loss and unavailability</h2><p>After each case (and after healing its fault) a fresh consumer "
                + "reads every partition from the start. Lost: acknowledged, not found. Duplicates: a value found at "
                + "two offsets. Present, not acked: written though the producer saw a failure or no answer (allowed). "
                + "Longest ack gap: the longest time one partition went without an acknowledgement while a record of it "
                + "waited for one, from its first acknowledgement on; "
                + "across the fault: the longest such gap ended by a partition's first acknowledgement after the "
                + "fault; across the heal: the longest that ended after the heal began.</p><table><tr>"
                + "<th>#</th><th class=\"l\">system</th><th class=\"l\">case</th><th>sent</th><th>acked</th>"
                + "<th>failed</th><th>read</th><th>lost</th><th>duplicates</th><th>present, not acked</th>"
                + "<th>read-back complete</th><th>longest ack gap ms</th><th>gap at s</th><th>across the fault ms</th>"
                + "<th>across the heal ms</th><th class=\"l\">first lost</th></tr>\n");
        for (CaseResult c : r.cases()) {
            LossAccount.Loss l = c.loss();
            h.append("<tr class=\"").append(esc(c.system())).append("\">");
            cells(h, List.of(Integer.toString(c.index()), c.system(), c.spec().label(), Long.toString(c.sent()),
                    Long.toString(c.acked()), Long.toString(c.failed()), l == null ? "n/a" : Long.toString(l.readUnique())), 3);
            lossCell(h, c.lost());
            lossCell(h, c.duplicates());
            cells(h, List.of(l == null ? "n/a" : Long.toString(l.presentNotAcked()), Boolean.toString(c.readBackComplete()),
                    fmt(c.ackGap().longestMs(), 0), fmt(c.ackGap().startS(), 1), fmt(c.ackGap().faultGapMs(), 0),
                    fmt(c.ackGap().healGapMs(), 0)), 0);
            h.append("<td class=\"l\">").append(l == null ? "" : esc(l.lostExamples().toString())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void manyPartitions(StringBuilder h, ManyPartitionsResult m) {
        if (m == null) {
            return;
        }
        h.append("<h2>Many partitions</h2><p>").append(m.partitions()).append(" partitions, replication factor ")
                .append(m.rf()).append(", created in ").append(esc(fmt(m.createS(), 1))).append(" s. Memory is each "
                + "node's resident set (VmRSS); idle CPU is its CPU time over ").append(m.idleIntervalS())
                .append(" s without clients, in % of one core.");
        if (!m.nodeSettings().isEmpty()) {
            h.append(" Node settings of this cluster: ").append(esc(new java.util.TreeMap<>(m.nodeSettings()).toString()))
                    .append('.');
        }
        if (m.load() != null) {
            h.append(" Load across all partitions (").append(esc(m.load().spec().label())).append("): ")
                    .append(esc(fmt(m.load().recordsPerS(), 0))).append(" records/s, send p99 ")
                    .append(esc(fmt(m.load().send().p99Ms(), 1))).append(" ms");
            if (m.load().loss() != null) {
                h.append(m.load().readBackComplete() ? ", read back whole: " : ", read back only in part: ")
                        .append(m.load().loss().lost()).append(" acknowledged records lost, ")
                        .append(m.load().loss().duplicates()).append(" duplicated");
            }
            if (m.load().error() != null) {
                h.append(", failed: ").append(esc(m.load().error()));
            }
            h.append('.');
        }
        if (m.error() != null) {
            h.append(" <span class=\"bad\">Stopped early: ").append(esc(m.error())).append("</span>");
        }
        h.append("</p><table><tr><th>node</th><th>pid</th><th>RSS MB before</th><th>idle CPU before</th>"
                + "<th>RSS MB with the topic</th><th>idle CPU with the topic</th><th>RSS MB after load</th></tr>\n");
        for (ManyPartitionsResult.NodeFigures n : m.nodes()) {
            h.append("<tr>");
            cells(h, List.of(Integer.toString(n.node()), Long.toString(n.pid()), fmt(n.rssMbBaseline(), 0),
                    fmt(n.idleCpuPctBaseline(), 1) + "%", fmt(n.rssMbIdle(), 0), fmt(n.idleCpuPctIdle(), 1) + "%",
                    fmt(n.rssMbAfterLoad(), 0)), 0);
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void keyValues(StringBuilder h, String title, Map<String, String> values) {
        h.append("<h2>").append(esc(title)).append("</h2><table>");
        values.forEach((k, v) -> h.append("<tr><th class=\"l\">").append(esc(k)).append("</th><td class=\"l\">")
                .append(esc(v)).append("</td></tr>"));
        h.append("</table>\n");
    }

    private static void errors(StringBuilder h, BenchReport r) {
        Map<String, Map<String, Long>> all = new LinkedHashMap<>();
        for (CaseResult c : r.cases()) {
            Map<String, Long> e = new LinkedHashMap<>(c.errors());
            if (c.error() != null) {
                e.put("case failed: " + c.error(), 1L);
            }
            if (!e.isEmpty()) {
                all.put("#" + c.index() + " " + c.system() + " " + c.spec().label(), e);
            }
        }
        if (all.isEmpty()) {
            return;
        }
        h.append("<h2>Errors</h2><table><tr><th class=\"l\">case</th><th class=\"l\">error</th><th>count</th></tr>");
        all.forEach((c, e) -> e.forEach((msg, n) -> h.append("<tr><td class=\"l\">").append(esc(c))
                .append("</td><td class=\"l\">").append(esc(msg)).append("</td><td>").append(n).append("</td></tr>")));
        h.append("</table>\n");
    }

    /** Cells, the first {@code leftAligned} of them left-aligned. */
    private static void cells(StringBuilder h, List<String> values, int leftAligned) {
        for (int i = 0; i < values.size(); i++) {
            h.append(i > 0 && i < leftAligned ? "<td class=\"l\">" : "<td>").append(esc(values.get(i))).append("</td>");
        }
    }

    private static void lossCell(StringBuilder h, long n) {
        h.append(n > 0 ? "<td class=\"bad\">" : "<td>").append(n < 0 ? "n/a" : Long.toString(n)).append("</td>");
    }

    static String fmt(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return out.toString();
    }
}
