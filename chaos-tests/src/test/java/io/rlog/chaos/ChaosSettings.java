package io.rlog.chaos;

import io.rlog.chaos.nemesis.Schedule;
import io.rlog.chaos.workload.WorkloadParams;

import java.nio.file.Path;

/**
 * System properties of the chaos test runs. The defaults keep `./mvnw -pl chaos-tests verify` near 8 minutes
 * on a 2-core machine; longer runs come from `-Dchaos.workload.ms=...` or the `rlog chaos` command.
 */
final class ChaosSettings {
    private ChaosSettings() {}

    static long workloadMs() {
        return Long.getLong("chaos.workload.ms", 20_000);
    }

    static int nodes() {
        return Integer.getInteger("chaos.nodes", 3);
    }

    static Path outDir() {
        return Path.of(System.getProperty("chaos.out", "target/chaos"));
    }

    static RunSpec spec(String name, long seed, Schedule schedule, WorkloadParams workload) {
        return new RunSpec(name, seed, workloadMs(), schedule, workload, nodes(), null, outDir(), true);
    }
}
