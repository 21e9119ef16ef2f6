package io.rlog.chaos;

import io.rlog.chaos.checker.Anomaly;

import static org.junit.jupiter.api.Assertions.fail;

/** How a chaos test judges a run: every failure prints what reproduces it. */
final class Scenarios {
    private Scenarios() {}

    static void assertValid(RunResult r) {
        System.out.println(r.summary());
        if (!r.valid()) {
            StringBuilder msg = new StringBuilder("chaos run failed: ").append(r.summary())
                    .append("\nreplay: -Dchaos.seed=").append(r.spec().seed()).append(" (").append(r.spec().replay())
                    .append(")\nhistory: ").append(r.history());
            for (Anomaly a : r.check().failures().stream().limit(20).toList()) {
                msg.append("\n  ").append(a);
            }
            fail(msg.toString());
        }
    }
}
