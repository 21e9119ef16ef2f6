package io.rlog.cli.bench;

import java.util.List;
import java.util.Map;

/**
 * The many-partitions case: per-node memory and idle CPU before and after creating one big topic, and the
 * throughput of a closed-loop producer spread over all its partitions.
 *
 * @param createS seconds from the create request until every partition had a leader
 * @param load    the load case on the big topic; null if it never ran
 * @param error   why the case stopped early; null when it ran to the end
 */
record ManyPartitionsResult(int partitions, int rf, int idleIntervalS, double createS, List<NodeFigures> nodes,
                            CaseResult load, String error, Map<String, String> nodeSettings) {

    /**
     * One node's figures. Memory is VmRSS of /proc/PID/status; idle CPU is the node's utime+stime over an idle
     * interval, in percent of one core.
     */
    record NodeFigures(int node, long pid, double rssMbBaseline, double idleCpuPctBaseline, double rssMbIdle,
                       double idleCpuPctIdle, double rssMbAfterLoad) {}
}
