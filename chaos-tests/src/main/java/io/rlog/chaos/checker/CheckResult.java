package io.rlog.chaos.checker;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What the checker found: every anomaly, and how much of the history it looked at. */
public record CheckResult(List<Anomaly> anomalies, long opsChecked, long sendsAcknowledged, long recordsRead) {
    public CheckResult {
        anomalies = List.copyOf(anomalies);
    }

    public List<Anomaly> failures() {
        return anomalies.stream().filter(a -> a.severity() == Severity.FAIL).toList();
    }

    public boolean valid() {
        return failures().isEmpty();
    }

    public boolean has(AnomalyKind kind, Severity severity) {
        return anomalies.stream().anyMatch(a -> a.kind() == kind && a.severity() == severity);
    }

    /** FAIL anomalies per kind, for the report table. */
    public Map<AnomalyKind, Integer> failureCounts() {
        Map<AnomalyKind, Integer> out = new EnumMap<>(AnomalyKind.class);
        failures().forEach(a -> out.merge(a.kind(), 1, Integer::sum));
        return out;
    }
}
