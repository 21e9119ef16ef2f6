package io.rlog.chaos.checker;

import io.rlog.chaos.history.History;
import io.rlog.chaos.history.Op;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Checks a history against the Kafka taxonomy (see {@link AnomalyKind}). Pure: no I/O, no clock; the same
 * history always gives the same result in the same order.
 *
 * <p>The final log (what every partition holds after healing) comes from the history's final reads; without
 * one, only the checks that need no final log can find anything, and every partition reads as incomplete.
 */
public final class Checker {
    private Checker() {}

    public static CheckResult check(History history) {
        List<Op> ops = history.ops().stream().sorted(Comparator.comparingLong(o -> o.meta().index())).toList();
        List<Op.Send> sends = history.ops(Op.Send.class);
        FinalLog log = new FinalLog(history.ops(Op.FinalRead.class));
        LeaderChanges leaders = new LeaderChanges(ops);
        Observations seen = new Observations(ops, leaders);
        List<Anomaly> anomalies = new ArrayList<>(log.anomalies());
        anomalies.addAll(SendChecker.check(sends, log, seen, leaders));
        anomalies.addAll(OffsetChecker.check(seen, sends));
        anomalies.addAll(PollChecker.check(ops, log));
        anomalies.addAll(CommitChecker.check(ops, log));
        long acked = sends.stream().filter(s -> s.meta().ok()).count();
        long read = history.ops(Op.Poll.class).stream().mapToLong(p -> p.records().size()).sum();
        return new CheckResult(anomalies, ops.size(), acked, read);
    }
}
