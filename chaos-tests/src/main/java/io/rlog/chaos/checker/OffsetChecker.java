package io.rlog.chaos.checker;

import io.rlog.chaos.history.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * inconsistent-offsets (two values at one position) and duplicate (one value at two positions).
 *
 * <p>A position's second value is INFO only when it comes from an acks=1 acknowledgement that a leader change
 * may have voided (the offset was then reused by the new leader). A duplicate is a FAIL for a value an
 * idempotent producer sent (or whose send is not in the history); a non-idempotent producer's retries may
 * legitimately write a value twice, so for those it is INFO.
 */
final class OffsetChecker {
    private OffsetChecker() {}

    static List<Anomaly> check(Observations seen, List<Op.Send> sends) {
        List<Anomaly> out = new ArrayList<>();
        for (var e : seen.byPosition().entrySet()) {
            Map<Long, List<Observations.Seen>> values = e.getValue();
            if (values.size() < 2) {
                continue;
            }
            long strong = values.values().stream().filter(l -> l.stream().anyMatch(s -> !s.weak())).count();
            List<Long> ops = values.values().stream().flatMap(List::stream).map(Observations.Seen::op).distinct()
                    .toList();
            out.add(new Anomaly(AnomalyKind.INCONSISTENT_OFFSETS, strong >= 2 ? Severity.FAIL : Severity.INFO,
                    e.getKey().partition(), e.getKey().offset(), values.keySet().iterator().next(),
                    "values " + values.keySet() + " at one offset", ops));
        }
        Map<Long, Op.Send> sendOf = new HashMap<>();
        sends.forEach(s -> sendOf.putIfAbsent(s.value(), s));
        for (var e : seen.readsByValue().entrySet()) {
            Set<Observations.Position> at = new LinkedHashSet<>();
            e.getValue().forEach(s -> at.add(new Observations.Position(s.partition(), s.offset())));
            if (at.size() < 2) {
                continue;
            }
            Op.Send send = sendOf.get(e.getKey());
            boolean promised = send == null || send.idempotent();
            Observations.Position first = at.iterator().next();
            out.add(new Anomaly(AnomalyKind.DUPLICATE, promised ? Severity.FAIL : Severity.INFO, first.partition(),
                    first.offset(), e.getKey(), "read at " + at + (promised ? "" : " (non-idempotent producer)"),
                    e.getValue().stream().map(Observations.Seen::op).distinct().toList()));
        }
        return out;
    }
}
