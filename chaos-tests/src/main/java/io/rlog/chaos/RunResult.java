package io.rlog.chaos;

import io.rlog.chaos.checker.CheckResult;

import java.nio.file.Path;

/** One finished run: what it was, where its history is, and what the checker found. */
public record RunResult(RunSpec spec, Path history, CheckResult check, long elapsedMs, String error) {
    public boolean valid() {
        return error == null && check.valid();
    }

    public String summary() {
        return spec.name() + ": " + (valid() ? "valid" : "INVALID") + " seed=" + spec.seed() + " schedule="
                + spec.schedule() + " ops=" + check.opsChecked() + " acked=" + check.sendsAcknowledged()
                + " failures=" + check.failureCounts() + " history=" + history
                + (error == null ? "" : " error=" + error);
    }
}
