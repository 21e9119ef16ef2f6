package io.rlog.chaos.checker;

import io.rlog.chaos.history.History;
import io.rlog.chaos.history.Op;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

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
        List<Op.FinalRead> finals = history.ops(Op.FinalRead.class);
        // A read_committed read lacks the aborted records, so it is no copy of the log: only TxnChecker uses it.
        FinalLog log = new FinalLog(finals.stream().filter(f -> !f.readCommitted()).toList());
        LeaderChanges leaders = new LeaderChanges(ops);
        Observations seen = new Observations(ops, leaders);
        List<Anomaly> anomalies = new ArrayList<>(log.anomalies());
        anomalies.addAll(SendChecker.check(sends, log, seen, leaders));
        anomalies.addAll(OffsetChecker.check(seen, sends));
        // Consumers at read_committed are judged against the read_committed final read: they skip aborted records.
        Set<Integer> readCommitted = history.ops(Op.Poll.class).stream().filter(Op.Poll::readCommitted)
                .map(p -> p.meta().process()).collect(Collectors.toSet());
        Map<Boolean, List<Op>> byIsolation = ops.stream().collect(Collectors.partitioningBy(o ->
                (o instanceof Op.Poll || o instanceof Op.Assign) && readCommitted.contains(o.meta().process())));
        List<Op.FinalRead> committedReads = finals.stream().filter(Op.FinalRead::readCommitted).toList();
        anomalies.addAll(PollChecker.check(byIsolation.get(false), log));
        if (!committedReads.isEmpty()) {
            anomalies.addAll(PollChecker.check(byIsolation.get(true), new FinalLog(committedReads)));
        }
        anomalies.addAll(CommitChecker.check(ops, log));
        anomalies.addAll(TxnChecker.check(history.ops(Op.Txn.class), sends, history.ops(Op.Poll.class).stream()
                .filter(Op.Poll::readCommitted).toList(), committedReads, log));
        // Values of committed transactions count as acknowledged sends: they are the ones the checks promise.
        long acked = sends.stream().filter(s -> s.meta().ok()).count() + history.ops(Op.Txn.class).stream()
                .filter(t -> t.meta().ok()).mapToLong(t -> t.writes().size()).sum();
        long read = history.ops(Op.Poll.class).stream().mapToLong(p -> p.records().size()).sum();
        return new CheckResult(anomalies, ops.size(), acked, read);
    }
}
