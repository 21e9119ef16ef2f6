package io.rlog.cli.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's results: results.csv (one row per case and system), timeseries.csv (one row per second),
 * results.json (everything, with the machine, versions and settings) and report.html.
 */
final class ResultsWriter {
    static final String CSV = "results.csv";
    static final String TIMESERIES_CSV = "timeseries.csv";
    static final String JSON = "results.json";
    static final String HTML = "report.html";

    private ResultsWriter() {}

    static void writeAll(BenchReport report, Path out) throws IOException {
        Files.createDirectories(out);
        Files.writeString(out.resolve(CSV), resultsCsv(report), StandardCharsets.UTF_8);
        Files.writeString(out.resolve(TIMESERIES_CSV), timeseriesCsv(report), StandardCharsets.UTF_8);
        Files.writeString(out.resolve(JSON), json(report), StandardCharsets.UTF_8);
        Files.writeString(out.resolve(HTML), HtmlReport.render(report), StandardCharsets.UTF_8);
    }

    /** The steps of rlog's write path whose times the nodes report (rlog_produce_stage_seconds), in path order. */
    static final List<String> STAGES = List.of("queue", "admit", "commit", "apply", "raft", "produce");

    static final List<String> RESULT_COLUMNS = columns("index", "system", "label", "headline", "acks", "fsync", "rf",
            "record_size", "linger_ms", "batch_size", "compression", "partitions", "target_rate", "duration_s",
            "fault", "ok", "error", "sent", "acked", "failed", "records_per_s", "mb_per_s", "send_p50_ms",
            "send_p99_ms", "send_p999_ms", "send_max_ms", "e2e_p50_ms", "e2e_p99_ms", "e2e_p999_ms", "e2e_max_ms",
            "lost", "duplicates", "present_not_acked", "read_back_complete", "longest_ack_gap_ms",
            "longest_ack_gap_at_s", "fault_ack_gap_ms", "heal_ack_gap_ms", "node_cpu_s", "bench_cpu_s",
            "foreign_cpu_pct", "io_stall_s", "unsynced_mb_at_end", "node_jit_cpu_s", "bench_jit_cpu_s",
            "ratio_records_per_s", "ratio_send_p99", "ratio_e2e_p99");

    /** The fixed columns, then each stage's p50 and p99 (stage_commit_p50_ms...). */
    private static List<String> columns(String... fixed) {
        List<String> out = new ArrayList<>(List.of(fixed));
        for (String stage : STAGES) {
            out.add("stage_" + stage + "_p50_ms");
            out.add("stage_" + stage + "_p99_ms");
        }
        return List.copyOf(out);
    }

    static String resultsCsv(BenchReport report) {
        StringBuilder out = new StringBuilder(String.join(",", RESULT_COLUMNS)).append('\n');
        for (CaseResult r : report.cases()) {
            CaseSpec s = r.spec();
            Comparison c = report.comparisonOf(r).orElse(null);
            List<Object> row = new ArrayList<>(List.of(r.index(), r.system(), s.label(), s.headline(), s.acks(),
                    s.fsync(), s.rf(), s.recordSize(), s.lingerMs(), s.batchSize(), s.compression(), s.partitions(),
                    s.targetRate(), s.durationS(), s.fault().cliName(), r.ok(), r.error() == null ? "" : r.error(),
                    r.sent(), r.acked(), r.failed(), r.recordsPerS(), r.mbPerS(), r.send().p50Ms(),
                    r.send().p99Ms(), r.send().p999Ms(), r.send().maxMs(), r.e2e().p50Ms(), r.e2e().p99Ms(),
                    r.e2e().p999Ms(), r.e2e().maxMs()));
            row.add(r.lost() < 0 ? "" : r.lost());
            row.add(r.loss() == null ? "" : r.loss().duplicates());
            row.add(r.loss() == null ? "" : r.loss().presentNotAcked());
            row.add(r.readBackComplete());
            row.add(r.ackGap().longestMs());
            row.add(r.ackGap().startS());
            row.add(r.ackGap().faultGapMs());
            row.add(r.ackGap().healGapMs());
            row.add(r.cpu() == null ? Double.NaN : r.cpu().sumOf(r.system() + "."));
            row.add(r.cpu() == null ? Double.NaN : r.cpu().sumOf("bench"));
            row.add(r.cpu() == null ? Double.NaN : 100 * r.cpu().foreignShare());
            row.add(r.cpu() == null ? Double.NaN : r.cpu().ioStallS());
            row.add(r.cpu() == null ? Double.NaN : r.cpu().unsyncedMbAtEnd());
            row.add(r.cpu() == null ? Double.NaN : r.cpu().jitOf(r.system() + "."));
            row.add(r.cpu() == null ? Double.NaN : r.cpu().jitOf("bench"));
            row.add(c == null ? Double.NaN : c.throughputRatio());
            row.add(c == null ? Double.NaN : c.ratio(x -> x.send().p99Ms()));
            row.add(c == null ? Double.NaN : c.ratio(x -> x.e2e().p99Ms()));
            for (String stage : STAGES) {
                NodeStages.Figure f = r.nodeStages().get(stage);
                row.add(f == null ? Double.NaN : f.p50Ms());
                row.add(f == null ? Double.NaN : f.p99Ms());
            }
            out.append(csvRow(row)).append('\n');
        }
        return out.toString();
    }

    static String timeseriesCsv(BenchReport report) {
        StringBuilder out = new StringBuilder("index,system,at_s,length_s,acked,records_per_s,failed,send_p50_ms,"
                + "send_p99_ms,send_max_ms,e2e_count,e2e_p50_ms,e2e_p99_ms,measured\n");
        for (CaseResult r : report.cases()) {
            for (SecondSample s : r.seconds()) {
                out.append(csvRow(List.of(r.index(), r.system(), s.atS(), s.lengthS(), s.acked(), s.recordsPerS(),
                        s.failed(), s.sendP50Ms(), s.sendP99Ms(), s.sendMaxMs(), s.e2eCount(), s.e2eP50Ms(),
                        s.e2eP99Ms(), s.measured()))).append('\n');
            }
        }
        return out.toString();
    }

    static String csvRow(List<?> values) {
        List<String> cells = new ArrayList<>();
        for (Object v : values) {
            cells.add(csvCell(v));
        }
        return String.join(",", cells);
    }

    private static String csvCell(Object v) {
        if (v instanceof Double d) {
            return Double.isFinite(d) ? String.format(Locale.ROOT, "%.3f", d) : "";
        }
        String s = String.valueOf(v);
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    static String json(BenchReport report) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("machine", report.machine());
        root.put("load_at_end", report.loadAtEnd());
        root.put("finished_at", report.finishedAt());
        root.put("versions", report.versions());
        root.put("settings", report.settings());
        root.put("notes", report.notes());
        root.put("cases", report.cases());
        List<Map<String, Object>> comparisons = new ArrayList<>();
        for (Comparison c : report.comparisons()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rlog_index", c.rlog().index());
            m.put("kafka_index", c.kafka().index());
            m.put("label", c.rlog().spec().label());
            m.put("ratios_rlog_over_kafka", c.ratios());
            comparisons.add(m);
        }
        root.put("comparisons", comparisons);
        root.put("many_partitions", report.manyPartitions());
        return Json.write(root);
    }
}
