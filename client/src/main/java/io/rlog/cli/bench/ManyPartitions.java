package io.rlog.cli.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The many-partitions case on a fresh local rlog cluster: memory and idle CPU of each node before the topic
 * exists, then with a topic of many partitions (RF 3) but no clients, then a closed-loop acks=all producer over
 * all partitions, then memory again.
 */
final class ManyPartitions {
    /** Creating thousands of Raft groups takes a while on a small machine; past this the case gives up. */
    static final Duration TOPIC_READY_TIMEOUT = Duration.ofMinutes(10);
    static final int RF = 3;

    /**
     * Node settings this case's cluster gets unless the bench's --set gives them. Ratis heartbeats every group's
     * followers every half minimum election timeout, one RPC per group and follower. With 4-8 s, 1,000 partitions
     * (1,000 groups per node) did not fit this 2-core machine: at about 910 groups per node the heartbeats came late,
     * leaders stepped down, elections started more, and within a minute no node led anything (load average 230).
     * With 10-20 s every partition had a leader after 296 s and the idle nodes used 36-40 % of a core each. The
     * price is failover where no port refuses (a paused or cut-off leader is noticed after 10-20 s); a killed
     * node's port refuses, and PeerWatch starts the election within milliseconds.
     */
    static final Map<String, String> DEFAULT_NODE_SETTINGS = Map.of(
            "raft.election.timeout.min.ms", "10000",
            "raft.election.timeout.max.ms", "20000");

    /** The bench's node settings with this case's defaults under them. */
    static Map<String, String> nodeSettings(Map<String, String> given) {
        Map<String, String> out = new java.util.TreeMap<>(DEFAULT_NODE_SETTINGS);
        out.putAll(given);
        return out;
    }

    private ManyPartitions() {}

    static ManyPartitionsResult run(WorkloadRunner.Context ctx, BenchSettings s, int index) throws InterruptedException {
        Target target = ctx.target();
        Map<Integer, Long> pids = new LinkedHashMap<>();
        Map<Integer, double[]> figures = new LinkedHashMap<>(); // node -> {rssBase, cpuBase, rssIdle, cpuIdle, rssAfter}
        try {
            pids.putAll(target.pids());
        } catch (java.io.IOException e) {
            return new ManyPartitionsResult(s.manyPartitionsCount(), RF, s.idleIntervalS(), Double.NaN, List.of(), null,
                    "cannot read node pids: " + e.getMessage(), nodeSettings(s.nodeSettings()));
        }
        pids.keySet().forEach(n -> figures.put(n, new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN}));
        ctx.progress().line("many partitions: measuring idle nodes for " + s.idleIntervalS() + " s");
        measureIdle(pids, figures, 0, s.idleIntervalS());
        CaseSpec spec = new CaseSpec("all", "always", RF, Matrix.REFERENCE_RECORD_SIZE, Matrix.REFERENCE_LINGER_MS,
                Matrix.REFERENCE_BATCH_SIZE, "none", s.manyPartitionsCount(), 0, s.manyPartitionsDurationS(), 0,
                Math.min(2, s.manyPartitionsDurationS() - 1), Fault.NONE, 0, 0, false);
        long t0 = System.nanoTime();
        double[] createS = {Double.NaN};
        ctx.progress().line("many partitions: creating a topic of " + spec.partitions() + " partitions, RF " + RF);
        ctx.progress().caseStarted(index, index, target.system(), spec);
        CaseResult load = WorkloadRunner.run(ctx, spec, index, topic -> {
            createS[0] = (System.nanoTime() - t0) / 1e9;
            ctx.progress().line(String.format(java.util.Locale.ROOT,
                    "many partitions: every partition has a leader after %.1f s; measuring idle nodes for %d s",
                    createS[0], s.idleIntervalS()));
            measureIdle(pids, figures, 2, s.idleIntervalS());
        });
        pids.forEach((node, pid) -> figures.get(node)[4] = rssMb(pid));
        String error = load.error();
        if (error != null && Double.isNaN(createS[0])) {
            long hosted = target.partitionReplicasHosted();
            if (hosted >= 0) {
                error += " (when it gave up the nodes hosted " + hosted + " partition replicas of all topics; this"
                        + " topic has " + (long) spec.partitions() * RF + ")";
            }
        }
        List<ManyPartitionsResult.NodeFigures> nodes = new ArrayList<>();
        figures.forEach((node, f) -> nodes.add(new ManyPartitionsResult.NodeFigures(node, pids.get(node), f[0], f[1],
                f[2], f[3], f[4])));
        return new ManyPartitionsResult(spec.partitions(), RF, s.idleIntervalS(), createS[0], nodes, load,
                error, nodeSettings(s.nodeSettings()));
    }

    /** Memory now and CPU over the next {@code seconds}, into figures[node][at] and [at + 1]. */
    private static void measureIdle(Map<Integer, Long> pids, Map<Integer, double[]> figures, int at, int seconds)
            throws InterruptedException {
        Map<String, Long> named = new LinkedHashMap<>();
        pids.forEach((node, pid) -> named.put("node" + node, pid));
        pids.forEach((node, pid) -> figures.get(node)[at] = rssMb(pid));
        CpuUse.Start start = CpuUse.start(named);
        TimeUnit.SECONDS.sleep(seconds); // the measurement interval itself
        CpuUse used = start.end();
        pids.forEach((node, pid) -> {
            Double cpuS = used.processCpuS().get("node" + node);
            figures.get(node)[at + 1] = cpuS == null ? Double.NaN : 100 * cpuS / used.wallS();
        });
    }

    private static double rssMb(long pid) {
        OptionalLong kb = ProcStats.rssKb(pid);
        return kb.isPresent() ? kb.getAsLong() / 1024.0 : Double.NaN;
    }
}
