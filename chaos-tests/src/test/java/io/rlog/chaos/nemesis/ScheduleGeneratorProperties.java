package io.rlog.chaos.nemesis;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.LongRange;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pure schedule generator, over many seeds: schedules are reproducible, bounded and healed before the
 * workload ends; Statistics shows which faults and targets the real runs get to see.
 */
class ScheduleGeneratorProperties {

    @Property(tries = 500)
    void schedulesAreReproducibleBoundedAndHealedInTime(@ForAll long seed,
                                                        @ForAll @LongRange(min = 10_000, max = 600_000) long workloadMs,
                                                        @ForAll("kinds") Set<FaultKind> kinds) {
        Schedule s = ScheduleGenerator.generate(seed, workloadMs, kinds);
        assertEquals(s, ScheduleGenerator.generate(seed, workloadMs, kinds), "same seed, same schedule");
        assertEquals(s, Schedule.parse(s.toString()), "prints and parses back");
        assertTrue(s.faults().size() <= ScheduleGenerator.FAULTS_MAX);
        for (Fault f : s.faults()) {
            assertTrue(kinds.contains(f.kind()));
            assertTrue(f.startMs() >= workloadMs / 10, "clients run alone first: " + f);
            assertTrue(f.endMs() <= workloadMs * 85 / 100, "healed before the final stretch: " + f);
            assertTrue(f.durationMs() >= ScheduleGenerator.FAULT_MS_MIN && f.durationMs() <= ScheduleGenerator.FAULT_MS_MAX);
            Statistics.label("fault").collect(f.kind().id() + ":" + f.target().id());
            Statistics.label("style").collect(f.style());
        }
        Statistics.label("faults per run").collect(s.faults().size());
    }

    @Provide
    Arbitrary<Set<FaultKind>> kinds() {
        return Arbitraries.subsetOf(EnumSet.allOf(FaultKind.class)).ofMinSize(1);
    }
}
