package io.rlog.chaos;

import io.rlog.chaos.checker.Anomaly;
import io.rlog.chaos.checker.AnomalyKind;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The table printed per run and the Markdown report of a set of runs. */
final class Report {
    /** Failed anomalies listed per run in the Markdown report; the history has them all. */
    private static final int ANOMALIES_LISTED_MAX = 20;

    private Report() {}

    static String header() {
        return String.format("%-22s %20s %6s %7s %7s  %s", "run", "seed", "faults", "ops", "acked", "anomalies");
    }

    static String row(RunResult r) {
        return String.format("%-22s %20d %6d %7d %7d  %s", r.spec().name(), r.spec().seed(),
                r.spec().schedule().faults().size(), r.check().opsChecked(), r.check().sendsAcknowledged(),
                anomalies(r));
    }

    /** FAIL anomalies per kind, plus a harness error as "run-error". */
    static int anomalyCount(RunResult r) {
        return r.check().failures().size() + (r.error() == null ? 0 : 1);
    }

    static String anomalies(RunResult r) {
        Map<AnomalyKind, Integer> counts = r.check().failureCounts();
        String s = counts.isEmpty() ? "none" : counts.entrySet().stream()
                .map(e -> e.getKey().id() + "=" + e.getValue()).collect(Collectors.joining(" "));
        return r.error() == null ? s : s + " run-error=1";
    }

    static String markdown(List<RunResult> runs, String summary, double faultMinutes) {
        StringBuilder md = new StringBuilder("# rlog chaos report\n\n");
        md.append("`").append(summary).append("`, fault-minutes=").append(String.format("%.1f", faultMinutes))
                .append("\n\n| run | seed | schedule | ops | acked | anomalies | history |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (RunResult r : runs) {
            md.append("| ").append(r.spec().name()).append(" | ").append(r.spec().seed()).append(" | `")
                    .append(r.spec().schedule()).append("` | ").append(r.check().opsChecked()).append(" | ")
                    .append(r.check().sendsAcknowledged()).append(" | ").append(anomalies(r)).append(" | ")
                    .append(r.history().getFileName()).append(" |\n");
        }
        for (RunResult r : runs) {
            if (anomalyCount(r) == 0) {
                continue;
            }
            md.append("\n## ").append(r.spec().name()).append("\n\nReplay: `rlog chaos --seed ")
                    .append(r.spec().seed()).append(" --runs 1 ...` (").append(r.spec().replay()).append(")\n\n");
            if (r.error() != null) {
                md.append("- run error: ").append(r.error()).append('\n');
            }
            for (Anomaly a : r.check().failures().stream().limit(ANOMALIES_LISTED_MAX).toList()) {
                md.append("- ").append(a).append('\n');
            }
        }
        return md.toString();
    }
}
