package io.rlog.cli.bench;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything measured in one case on one system. Summary figures count only the measured window (after the
 * warm-up); the per-second samples cover the whole case.
 *
 * @param recordsPerS  acknowledged records per second in the measured window
 * @param mbPerS       the same in MB/s of record values (10^6 bytes)
 * @param send         send latency: from the intended send time (open loop) or the send() call (closed loop) to
 *                     the acknowledgement callback
 * @param e2e          end-to-end latency: from the same start to the record's arrival in a consumer of this JVM
 * @param readBackComplete whether the read-back reached every partition's end offset
 * @param nodeStages   where the produce requests spent their time inside the nodes in the measured window, by step
 *                     (rlog's stage histograms, summed over the nodes; empty for Kafka)
 * @param errors       send errors by kind, and other problems the case met
 * @param error        why the case could not run to the end; null when it did
 */
record CaseResult(int index, String system, CaseSpec spec, String topic, Instant startedAt, long sent, long acked,
                  long failed, double measuredS, double recordsPerS, double mbPerS,
                  LatencyRecorder.Percentiles send, LatencyRecorder.Percentiles e2e, List<double[]> sendCdf,
                  List<double[]> e2eCdf, List<SecondSample> seconds, LossAccount.Loss loss,
                  boolean readBackComplete, AckGaps.Gap ackGap, List<Timeline.Event> events, CpuUse cpu,
                  Map<String, NodeStages.Figure> nodeStages, Map<String, Long> errors, String error) {

    static CaseResult failed(int index, String system, CaseSpec spec, String topic, Instant startedAt, String error) {
        return new CaseResult(index, system, spec, topic, startedAt, 0, 0, 0, 0, Double.NaN, Double.NaN,
                LatencyRecorder.percentiles(new org.HdrHistogram.Histogram(3)),
                LatencyRecorder.percentiles(new org.HdrHistogram.Histogram(3)), List.of(), List.of(), List.of(),
                null, false, new AckGaps.Gap(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN), List.of(), null, Map.of(),
                Map.of(), error);
    }

    boolean ok() {
        return error == null;
    }

    /**
     * Acknowledged records missing from the read-back; -1 when there was no complete read-back (a record the
     * read-back did not reach may still be in the log, so it is not counted as lost).
     */
    long lost() {
        return loss == null || !readBackComplete ? -1 : loss.lost();
    }

    long duplicates() {
        return loss == null ? -1 : loss.duplicates();
    }
}
