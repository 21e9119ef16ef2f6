package io.rlog.cli.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Synthetic results with known figures, for the report and summary tests. */
final class Fixtures {
    private Fixtures() {}

    static CaseSpec spec(Fault fault, boolean headline) {
        return new CaseSpec("all", "always", 3, 1024, 5, 65536, "none", 6, 0, 10, 0, 2, fault,
                fault == Fault.NONE ? 0 : 4, 3, headline);
    }

    /** An rlog case's stage figures, as NodeStages.between gives them. */
    static Map<String, NodeStages.Figure> stages() {
        Map<String, NodeStages.Figure> out = new java.util.LinkedHashMap<>();
        out.put("queue", new NodeStages.Figure(900, 0.03, 0.05, 1.2, 4.5));
        out.put("commit", new NodeStages.Figure(880, 2.2, 3.4, 6.7, 10.9));
        out.put("produce", new NodeStages.Figure(900, 2.8, 4.3, 8.4, 16.1));
        return out;
    }

    static CaseResult result(int index, String system, CaseSpec spec, double recordsPerS, double p99Ms, long lost) {
        LatencyRecorder lat = new LatencyRecorder();
        for (int i = 1; i <= 100; i++) {
            lat.recordNanos((long) (p99Ms * 1e6 * i / 99));
        }
        lat.interval(true);
        List<SecondSample> seconds = new ArrayList<>();
        for (int s = 1; s <= 10; s++) {
            seconds.add(new SecondSample(s, 1, (long) recordsPerS, 0, p99Ms / 2, p99Ms, p99Ms * 1.1,
                    (long) recordsPerS, p99Ms, p99Ms * 2, s > 2));
        }
        LossAccount account = new LossAccount();
        for (long i = 0; i < 1000; i++) {
            account.acked(i);
            if (i >= lost) {
                account.read(i);
            }
        }
        List<Timeline.Event> events = spec.fault() == Fault.NONE ? List.of()
                : List.of(new Timeline.Event(4.0, "fault: SIGKILL node 2 (leader of partition 0)"),
                new Timeline.Event(7.5, "heal: restarting node(s) [2]"));
        Map<String, Double> cpu = new LinkedHashMap<>();
        cpu.put(system + ".node1", 3.5);
        cpu.put("bench", 2.0);
        return new CaseResult(index, system, spec.fsync().equals("always") && system.equals("kafka")
                ? spec.withFsync("n/a") : spec, "bench-" + index, Instant.parse("2026-01-02T03:04:05Z"), 1000, 1000,
                0, 8, recordsPerS, recordsPerS * 1024 / 1e6, LatencyRecorder.percentiles(lat.measured()),
                LatencyRecorder.percentiles(lat.measured()), LatencyRecorder.cdf(lat.measured()),
                LatencyRecorder.cdf(lat.measured()), seconds, account.result(), true,
                new AckGaps.Gap(812.0, 4.1, 0.2, 790.0, 402.0), events, new CpuUse(10, cpu, 12, 20, 1.5, 672.5,
                        Map.of(system + ".node1", 0.75, "bench", 0.25)),
                system.equals("rlog") ? stages() : Map.of(), Map.of("TimeoutException: x <y>", 3L), null);
    }

    static BenchReport report() {
        CaseResult rlog = result(1, "rlog", spec(Fault.NONE, true), 41_234, 12.5, 0);
        CaseResult kafka = result(2, "kafka", spec(Fault.NONE, true), 50_000, 25, 0);
        CaseResult faulted = result(3, "rlog", spec(Fault.KILL_LEADER, false), 4_999, 800, 2);
        CaseResult broken = CaseResult.failed(4, "rlog", spec(Fault.NONE, false).withFsync("background"), "t",
                Instant.parse("2026-01-02T03:04:05Z"), "node 2 exited & <died>");
        Machine m = new Machine("vm", 2, 24_000, "AMD EPYC", "Linux", "OpenJDK 17", "0.50 0.40 0.30",
                Instant.parse("2026-01-02T03:00:00Z"));
        ManyPartitionsResult many = new ManyPartitionsResult(1000, 3, 10, 42.0,
                List.of(new ManyPartitionsResult.NodeFigures(1, 111, 180, 1.5, 900, 12.5, 950)), faulted, null,
                Map.of("raft.election.timeout.min.ms", "4000"));
        return new BenchReport(m, Map.of("rlog", "test", "kafka-clients", "4.4.0"), Map.of("command", "rlog bench --quick"),
                List.of(rlog, kafka, faulted, broken), List.of(new Comparison(rlog, kafka)), many,
                List.of("Kafka does not fsync per write by default"), Instant.parse("2026-01-02T03:10:00Z"), "1 1 1");
    }
}
