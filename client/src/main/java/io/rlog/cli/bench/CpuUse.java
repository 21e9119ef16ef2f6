package io.rlog.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU time used during an interval by the processes the bench knows (the nodes under test, the other system's
 * idle nodes, the bench itself) and by the whole machine; the rest is "foreign": other programs on a shared
 * machine, which a reader must see to trust a figure. Also the time the machine's disk stalled every running
 * task ({@code ioStallS}, from the kernel's pressure-stall counter; NaN where absent): a shared virtual disk's
 * slow fsyncs moved the same case's latency several-fold between runs. And the machine's page-cache data not yet on
 * disk when the interval ended ({@code unsyncedMbAtEnd}, MB of 10^6 bytes; NaN where absent): what a system that
 * acknowledges before fsync still owed the disk, and what the kernel then writes back during whatever runs next.
 * And the part of each process's CPU its JIT compiler threads used ({@code jitCpuS}): a JVM still compiling its hot
 * code (both systems' JVMs run HotSpot's C2 compiler) spends cores the case's requests then
 * lack. Take {@link #start} before and {@link Start#end} after.
 */
record CpuUse(double wallS, Map<String, Double> processCpuS, double machineBusyS, double machineCapacityS,
              double ioStallS, double unsyncedMbAtEnd, Map<String, Double> jitCpuS) {

    static Start start(Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        Map<String, Long> jit = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            ProcStats.cpuTicks(pid).ifPresent(t -> ticks.put(name, t));
            ProcStats.compilerTicks(pid).ifPresent(t -> jit.put(name, t));
        });
        return new Start(System.nanoTime(), pids, ticks, jit, ProcStats.machineTicks(), ProcStats.ioFullStallMicros());
    }

    record Start(long nanos, Map<String, Long> pids, Map<String, Long> ticks, Map<String, Long> jitTicks,
                 ProcStats.MachineTicks machine, OptionalLong ioStallMicros) {
        /** Processes that exited or were replaced (a killed node) during the interval are left out. */
        CpuUse end() {
            Map<String, Double> used = new LinkedHashMap<>();
            ticks.forEach((name, before) -> {
                OptionalLong after = ProcStats.cpuTicks(pids.get(name));
                if (after.isPresent() && after.getAsLong() >= before) {
                    used.put(name, ProcStats.ticksToSeconds(after.getAsLong() - before));
                }
            });
            Map<String, Double> jit = new LinkedHashMap<>();
            jitTicks.forEach((name, before) -> {
                OptionalLong after = ProcStats.compilerTicks(pids.get(name));
                if (used.containsKey(name) && after.isPresent()) {
                    jit.put(name, ProcStats.ticksToSeconds(Math.max(0, after.getAsLong() - before)));
                }
            });
            ProcStats.MachineTicks m = ProcStats.machineTicks();
            OptionalLong stallNow = ProcStats.ioFullStallMicros();
            double stallS = ioStallMicros.isPresent() && stallNow.isPresent()
                    ? (stallNow.getAsLong() - ioStallMicros.getAsLong()) / 1e6 : Double.NaN;
            OptionalLong unsynced = ProcStats.unsyncedBytes();
            return new CpuUse((System.nanoTime() - nanos) / 1e9, used,
                    ProcStats.ticksToSeconds(m.busy() - machine.busy()),
                    ProcStats.ticksToSeconds(m.total() - machine.total()), stallS,
                    unsynced.isPresent() ? unsynced.getAsLong() / 1e6 : Double.NaN, jit);
        }
    }

    /** Machine busy time not used by any process the bench knows, as a share of the machine's capacity. */
    double foreignShare() {
        double known = processCpuS.values().stream().mapToDouble(Double::doubleValue).sum();
        return machineCapacityS <= 0 ? Double.NaN : Math.max(0, machineBusyS - known) / machineCapacityS;
    }

    /** JIT compiler CPU seconds of the processes whose names start with {@code prefix}. */
    double jitOf(String prefix) {
        return jitCpuS.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** CPU seconds of the processes whose names start with {@code prefix}. */
    double sumOf(String prefix) {
        return processCpuS.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
