package io.rlog.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One rlog node's produce-stage histograms as scraped from its /metrics ({@code rlog_produce_stage_seconds}, a
 * cumulative Prometheus histogram per stage), and the distribution of what happened between two scrapes of the
 * same nodes: where, inside the nodes, a case's produce requests spent their time.
 *
 * @param buckets stage -> upper bound in seconds (+Inf as infinity) -> cumulative count, in bound order
 */
record NodeStages(Map<String, TreeMap<Double, Long>> buckets) {

    private static final Pattern BUCKET = Pattern.compile(
            "^rlog_produce_stage_seconds_bucket\\{stage=\"(\\w+)\",le=\"([^\"]+)\"} (\\d+)$", Pattern.MULTILINE);

    /** Quantiles of one stage between two scrapes, in ms; {@code count} requests or entries. */
    record Figure(long count, double p50Ms, double p90Ms, double p99Ms, double p999Ms) {}

    /** The node's stage histograms; empty when the text has none (an older node, or not rlog). */
    static NodeStages parse(String metrics) {
        Map<String, TreeMap<Double, Long>> out = new LinkedHashMap<>();
        Matcher m = BUCKET.matcher(metrics);
        while (m.find()) {
            double le = m.group(2).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(2));
            out.computeIfAbsent(m.group(1), s -> new TreeMap<>()).put(le, Long.parseLong(m.group(3)));
        }
        return new NodeStages(out);
    }

    /**
     * Each stage's quantiles over what the nodes counted between {@code before} and {@code after}, summed over the
     * nodes scraped both times. A node whose counts went down was restarted in between: what it counted since
     * then is taken whole. A node missing from either scrape (killed, paused) is left out. Stages in the order the
     * nodes list them; none when no node answered.
     */
    static Map<String, Figure> between(Map<Integer, NodeStages> before, Map<Integer, NodeStages> after) {
        Map<String, TreeMap<Double, Long>> sum = new LinkedHashMap<>();
        after.forEach((node, now) -> {
            NodeStages then = before.get(node);
            if (then == null) {
                return;
            }
            now.buckets.forEach((stage, counts) -> {
                TreeMap<Double, Long> earlier = then.buckets.getOrDefault(stage, new TreeMap<>());
                boolean restarted = counts.entrySet().stream()
                        .anyMatch(e -> e.getValue() < earlier.getOrDefault(e.getKey(), 0L));
                TreeMap<Double, Long> into = sum.computeIfAbsent(stage, s -> new TreeMap<>());
                counts.forEach((le, c) -> into.merge(le, restarted ? c : c - earlier.getOrDefault(le, 0L), Long::sum));
            });
        });
        Map<String, Figure> out = new LinkedHashMap<>();
        sum.forEach((stage, cum) -> out.put(stage, figure(cum)));
        return out;
    }

    private static Figure figure(TreeMap<Double, Long> cumulative) {
        long total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        return new Figure(total, quantileMs(cumulative, 0.5), quantileMs(cumulative, 0.9),
                quantileMs(cumulative, 0.99), quantileMs(cumulative, 0.999));
    }

    /**
     * The q-quantile in ms, interpolated linearly inside the bucket that holds it (so within a bucket's width of
     * the true one); NaN with no recordings; the last finite bound when it falls in +Inf.
     */
    static double quantileMs(TreeMap<Double, Long> cumulative, double q) {
        long total = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lower = 0;
        long below = 0;
        for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
            double upper = e.getKey();
            long count = e.getValue();
            if (count >= rank && count > below) {
                if (Double.isInfinite(upper)) {
                    return lower * 1e3;
                }
                return (lower + (upper - lower) * (rank - below) / (count - below)) * 1e3;
            }
            lower = Double.isInfinite(upper) ? lower : upper;
            below = count;
        }
        return lower * 1e3;
    }
}
