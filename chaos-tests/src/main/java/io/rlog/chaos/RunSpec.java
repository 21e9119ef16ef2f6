package io.rlog.chaos;

import io.rlog.chaos.nemesis.Schedule;
import io.rlog.chaos.workload.WorkloadParams;

import java.nio.file.Path;

/**
 * Everything that defines one run.
 *
 * @param name       names the history file (NAME.jsonl) and the cluster folder under {@code outDir}
 * @param seed       drives target choices and the workload's random choices
 * @param workloadMs how long clients run; the schedule's faults fall inside it
 * @param nodes      cluster size for a local cluster (ignored with {@code bootstrap})
 * @param bootstrap  an external Kafka-compatible cluster to check without faults, or null for a local one
 * @param rotate     between the two final reads, kill the node leading most partitions, so that the second
 *                   read is served by other replicas (the replica-divergence check); local clusters only
 */
public record RunSpec(String name, long seed, long workloadMs, Schedule schedule, WorkloadParams workload, int nodes,
                      String bootstrap, Path outDir, boolean rotate) {
    public RunSpec {
        if (workloadMs < 1_000 || schedule.endMs() > workloadMs) {
            throw new IllegalArgumentException("the workload (" + workloadMs + " ms) must outlast the schedule ("
                    + schedule.endMs() + " ms)");
        }
        if (bootstrap != null && !schedule.faults().isEmpty()) {
            throw new IllegalArgumentException("--bootstrap checks a cluster the harness does not control: no faults");
        }
    }

    public boolean local() {
        return bootstrap == null;
    }

    /** The one line that replays this run. */
    public String replay() {
        return "seed=" + seed + " schedule=" + schedule + " workload=" + workload.describe();
    }
}
