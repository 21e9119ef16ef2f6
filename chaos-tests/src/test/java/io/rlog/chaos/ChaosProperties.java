package io.rlog.chaos;

import io.rlog.chaos.nemesis.Fault;
import io.rlog.chaos.nemesis.FaultKind;
import io.rlog.chaos.nemesis.Schedule;
import io.rlog.chaos.nemesis.ScheduleGenerator;
import io.rlog.chaos.workload.WorkloadParams;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

import java.util.EnumSet;

/**
 * Random fault schedules and workloads against real clusters, Kafka raft-simulation style: jqwik draws a seed,
 * the seed decides the schedule ({@link ScheduleGenerator}) and the workload ({@link WorkloadParams#generate}),
 * and a failure prints the seed, the schedule and the history file. Replay one with
 * {@code -Dchaos.seed=S} (same schedule, same workload, same target choices; timing differs, as in any real
 * run). Each try is a real cluster for about a minute, so the default suite runs one; `rlog chaos --runs N` is
 * the long form.
 */
class ChaosProperties {

    @Property(tries = 1, shrinking = ShrinkingMode.OFF)
    void randomSchedulesKeepEveryPromiseOfTheMode(@ForAll("seeds") long seed) throws Exception {
        Schedule schedule = ScheduleGenerator.generate(seed, ChaosSettings.workloadMs(), EnumSet.allOf(FaultKind.class));
        // Subscribe-mode consumers of one group that commit after every poll; -Dchaos.groups=false leaves them out.
        WorkloadParams workload = WorkloadParams.generate(seed,
                Boolean.parseBoolean(System.getProperty("chaos.groups", "true")));
        for (Fault f : schedule.faults()) {
            Statistics.label("fault").collect(f.kind().id() + ":" + f.target().id());
        }
        RunResult r = ChaosRun.run(ChaosSettings.spec("random-" + Long.toUnsignedString(seed, 36), seed, schedule,
                workload));
        Scenarios.assertValid(r);
    }

    @Provide
    Arbitrary<Long> seeds() {
        Long replay = Long.getLong("chaos.seed");
        return replay != null ? Arbitraries.just(replay) : Arbitraries.longs();
    }
}
