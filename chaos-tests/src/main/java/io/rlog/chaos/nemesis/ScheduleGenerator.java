package io.rlog.chaos.nemesis;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Fault schedules from a seed. Pure: the same (seed, limits) always gives the same schedule, which is how
 * {@code -Dchaos.seed=S} and {@code rlog chaos --seed S} replay a run.
 *
 * <p>Shape: 1 to {@link #FAULTS_MAX} faults, each starting in the first 65% of the workload and healed by 85%
 * of it, so that every run ends with a healed stretch in which clients recover before the final read.
 */
public final class ScheduleGenerator {
    public static final int FAULTS_MAX = 3;
    /**
     * Shorter faults than this rarely outlast failure detection (an election timeout of 0.2-0.4 s, up to twice
     * that) plus client retries.
     */
    static final long FAULT_MS_MIN = 2_000;
    /** Longer faults than this mostly make the run idle. */
    static final long FAULT_MS_MAX = 12_000;

    private ScheduleGenerator() {}

    public static Schedule generate(long seed, long workloadMs, Set<FaultKind> kinds) {
        if (kinds.isEmpty()) {
            return Schedule.none();
        }
        SplittableRandom r = new SplittableRandom(seed);
        List<FaultKind> allowed = new ArrayList<>(new java.util.TreeSet<>(kinds));
        long latestStart = workloadMs * 65 / 100;
        long healedBy = workloadMs * 85 / 100;
        int count = 1 + r.nextInt(FAULTS_MAX);
        List<Fault> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = workloadMs / 10 + (latestStart <= workloadMs / 10 ? 0 : r.nextLong(latestStart - workloadMs / 10));
            long room = healedBy - start;
            if (room < FAULT_MS_MIN) {
                continue;
            }
            long duration = FAULT_MS_MIN + r.nextLong(Math.min(FAULT_MS_MAX, room) - FAULT_MS_MIN + 1);
            FaultKind kind = allowed.get(r.nextInt(allowed.size()));
            Target target = kind.targets().get(r.nextInt(kind.targets().size()));
            CutStyle style = r.nextInt(4) == 0 ? CutStyle.RESET : CutStyle.STALL;
            out.add(new Fault(kind, target, style, start, duration));
        }
        return new Schedule(out);
    }
}
