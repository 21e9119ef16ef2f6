package io.rlog.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * An rlog case and the Kafka run of the identical workload, with each figure's rlog/Kafka ratio. For records/s
 * and MB/s a ratio above 1 favours rlog; for latencies and the longest acknowledgement gap, below 1 does.
 */
record Comparison(CaseResult rlog, CaseResult kafka) {

    static double ratio(double rlog, double kafka) {
        if (!Double.isFinite(rlog) || !Double.isFinite(kafka) || kafka == 0) {
            return Double.NaN;
        }
        return rlog / kafka;
    }

    double ratio(ToDoubleFunction<CaseResult> figure) {
        if (!rlog.ok() || !kafka.ok()) {
            return Double.NaN;
        }
        return ratio(figure.applyAsDouble(rlog), figure.applyAsDouble(kafka));
    }

    double throughputRatio() {
        return ratio(CaseResult::recordsPerS);
    }

    /** Every compared figure by name, in report order. */
    Map<String, Double> ratios() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("records_per_s", throughputRatio());
        out.put("mb_per_s", ratio(CaseResult::mbPerS));
        out.put("send_p50", ratio(r -> r.send().p50Ms()));
        out.put("send_p99", ratio(r -> r.send().p99Ms()));
        out.put("send_p999", ratio(r -> r.send().p999Ms()));
        out.put("send_max", ratio(r -> r.send().maxMs()));
        out.put("e2e_p50", ratio(r -> r.e2e().p50Ms()));
        out.put("e2e_p99", ratio(r -> r.e2e().p99Ms()));
        out.put("longest_ack_gap", ratio(r -> r.ackGap().longestMs()));
        out.put("fault_ack_gap", ratio(r -> r.ackGap().faultGapMs()));
        return out;
    }
}
