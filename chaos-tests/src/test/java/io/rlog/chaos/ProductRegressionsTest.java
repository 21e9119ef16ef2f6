package io.rlog.chaos;

import io.rlog.chaos.checker.AnomalyKind;
import io.rlog.chaos.checker.Severity;
import io.rlog.chaos.nemesis.Schedule;
import io.rlog.chaos.workload.WorkloadParams;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Anomalies the chaos runs found in the product, kept as failing regressions until fixed. OFF in the default
 * suite (they would keep it red): run with {@code -Dchaos.regressions=true}.
 */
class ProductRegressionsTest {

    /**
     * Liveness, found by ScriptedScenariosTest#partitionThenKill (seed 12) on a loaded machine: the leader of a
     * partition (node 1) is isolated, SIGKILLed while isolated (its log holds uncommitted term-1 entries past
     * the majority's), and restarted; after healing, another node is killed. The survivor leader walks the
     * restarted node's nextIndex back one entry per round trip (INCONSISTENCY replies), loses leadership after
     * the 800 ms election timeout without a successful majority response, is re-elected and starts the walk
     * again: the partition had no ready leader for minutes and the second final read never completed.
     */
    @Example
    void aRestartedFormerLeaderRejoinsSoTheGroupSurvivesTheNextKill() throws Exception {
        Assume.that(Boolean.getBoolean("chaos.regressions"));
        RunResult r = ChaosRun.run(ChaosSettings.spec("regression-rejoin", 12,
                Schedule.parse("partition:isolate-leader/stall@3000+8000;kill:leader/stall@6000+5000"),
                WorkloadParams.defaults()));
        Scenarios.assertValid(r);
        assertFalse(r.check().has(AnomalyKind.INCOMPLETE_FINAL_READ, Severity.INFO),
                "both final reads complete: " + r.summary());
    }
}
