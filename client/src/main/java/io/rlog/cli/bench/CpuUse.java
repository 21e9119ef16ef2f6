package io.rlog.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU time used during an interval by the processes the bench knows (the nodes under test, the other system's
 * idle nodes, the bench itself) and by the whole machine; the rest is "foreign": other programs on a shared
 * machine, which a reader must see to trust a figure. Take {@link #start} before and {@link Start#end} after.
 */
record CpuUse(double wallS, Map<String, Double> processCpuS, double machineBusyS, double machineCapacityS) {

    static Start start(Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> ProcStats.cpuTicks(pid).ifPresent(t -> ticks.put(name, t)));
        return new Start(System.nanoTime(), pids, ticks, ProcStats.machineTicks());
    }

    record Start(long nanos, Map<String, Long> pids, Map<String, Long> ticks, ProcStats.MachineTicks machine) {
        /** Processes that exited or were replaced (a killed node) during the interval are left out. */
        CpuUse end() {
            Map<String, Double> used = new LinkedHashMap<>();
            ticks.forEach((name, before) -> {
                OptionalLong after = ProcStats.cpuTicks(pids.get(name));
                if (after.isPresent() && after.getAsLong() >= before) {
                    used.put(name, ProcStats.ticksToSeconds(after.getAsLong() - before));
                }
            });
            ProcStats.MachineTicks m = ProcStats.machineTicks();
            return new CpuUse((System.nanoTime() - nanos) / 1e9, used,
                    ProcStats.ticksToSeconds(m.busy() - machine.busy()),
                    ProcStats.ticksToSeconds(m.total() - machine.total()));
        }
    }

    /** Machine busy time not used by any process the bench knows, as a share of the machine's capacity. */
    double foreignShare() {
        double known = processCpuS.values().stream().mapToDouble(Double::doubleValue).sum();
        return machineCapacityS <= 0 ? Double.NaN : Math.max(0, machineBusyS - known) / machineCapacityS;
    }

    /** CPU seconds of the processes whose names start with {@code prefix}. */
    double sumOf(String prefix) {
        return processCpuS.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToDouble(Map.Entry::getValue).sum();
    }
}
