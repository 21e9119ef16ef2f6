package io.rlog.chaos.checker;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Transactions (KIP-98) against the read_committed final read: txn-lost, aborted-read, txn-partial,
 * phantom-value, hanging-transaction; aborted-read also against the polls of read_committed consumers; and
 * committed values against the read_uncommitted final log (lost-write).
 *
 * <p>What each outcome promises: a committed transaction (OK) has every value visible at read_committed; one that
 * did not commit (FAIL) has none; an unknown one (INFO) has all or none. Presence is always evidence. Absence is
 * evidence only on a <em>covered</em> partition: the read_committed read of it completed and reached the log end
 * of the read_uncommitted final log (so no transaction was still open below it). Duplicates of transactional
 * values are the {@link OffsetChecker}'s (the read_committed read is among its reads): a transactional producer is
 * idempotent, and a new instance never sends its predecessor's values again, so any duplicate is a FAIL there.
 *
 * <p>A committed transaction's values were acknowledged with acks=all, so they must also be in the read_uncommitted
 * log: missing there is a lost-write (FAIL), as for a plain acks=all send. The values of a transaction that did not
 * commit may or may not be there (an aborted transaction's records stay in the log, hidden by the abort marker;
 * unacknowledged ones may never have been written), so they are not judged there.
 */
final class TxnChecker {
    private TxnChecker() {}

    /** A value's place in the read_committed read. */
    private record At(int partition, long offset) {}

    /**
     * @param committedPolls polls of consumers at read_committed during the run: aborted-read, as for the final read
     * @param committedReads the read_committed final reads
     * @param log            the log merged from the read_uncommitted final reads
     */
    static List<Anomaly> check(List<Op.Txn> txns, List<Op.Send> sends, List<Op.Poll> committedPolls,
                               List<Op.FinalRead> committedReads, FinalLog log) {
        List<Anomaly> out = new ArrayList<>();
        abortedPolls(txns, committedPolls, out);
        if (committedReads.isEmpty()) {
            return out; // a history from before read_committed final reads: nothing to judge against
        }
        FinalLog visible = new FinalLog(committedReads);
        Set<Integer> covered = covered(visible, log, ids(committedReads), out);
        Map<Long, At> seen = new HashMap<>();
        visible.logs().forEach((p, records) -> records.forEach((o, v) -> seen.putIfAbsent(v, new At(p, o))));
        Map<Long, At> inLog = new HashMap<>();
        log.logs().forEach((p, records) -> records.forEach((o, v) -> inLog.putIfAbsent(v, new At(p, o))));
        for (Op.Txn t : txns) {
            judge(t, seen, inLog, covered, log, out);
        }
        phantoms(txns, sends, visible, ids(committedReads), out);
        return out;
    }

    /**
     * Partitions whose read_committed read can show absence; reports the others: hanging-transaction where the
     * last stable offset stayed below the log end, incomplete-final-read where a read did not finish.
     */
    private static Set<Integer> covered(FinalLog visible, FinalLog log, List<Long> readOps, List<Anomaly> out) {
        Set<Integer> partitions = new TreeSet<>(visible.partitions());
        partitions.addAll(log.partitions());
        Set<Integer> covered = new HashSet<>();
        for (int p : partitions) {
            if (!visible.complete(p)) {
                out.add(new Anomaly(AnomalyKind.INCOMPLETE_FINAL_READ, Severity.INFO, p, -1, -1,
                        "the read_committed final read did not reach the end of the partition", readOps));
            } else if (log.complete(p) && visible.endOffset(p) < log.endOffset(p)) {
                out.add(new Anomaly(AnomalyKind.HANGING_TRANSACTION, Severity.FAIL, p, visible.endOffset(p), -1,
                        "last stable offset " + visible.endOffset(p) + " below the log end " + log.endOffset(p)
                                + " after waiting for every transaction to end", readOps));
            } else if (log.complete(p)) {
                covered.add(p);
            }
        }
        return covered;
    }

    private static void judge(Op.Txn t, Map<Long, At> seen, Map<Long, At> inLog, Set<Integer> covered,
                              FinalLog log, List<Anomaly> out) {
        List<Op.Txn.Write> present = new ArrayList<>();
        List<Op.Txn.Write> absent = new ArrayList<>(); // missing on a covered partition
        for (Op.Txn.Write w : t.writes()) {
            if (seen.containsKey(w.value())) {
                present.add(w);
            } else if (covered.contains(w.partition())) {
                absent.add(w);
            }
        }
        Outcome outcome = t.meta().outcome();
        String who = "transaction of " + t.transactionalId() + " (process " + t.meta().process() + ", "
                + outcome.json() + (t.meta().error() == null ? "" : ": " + t.meta().error()) + ")";
        for (Op.Txn.Write w : t.writes()) {
            At at = seen.get(w.value());
            if (outcome == Outcome.OK && at == null && covered.contains(w.partition())) {
                out.add(anomaly(AnomalyKind.TXN_LOST, w.partition(), w.offset(), w.value(), "committed " + who
                        + ", missing from the read_committed final read", t));
            } else if (outcome == Outcome.FAIL && at != null) {
                out.add(anomaly(AnomalyKind.ABORTED_READ, at.partition(), at.offset(), w.value(), "not committed ("
                        + who + ", ended by " + t.end() + "), read at read_committed", t));
            }
            if (outcome == Outcome.OK && log.complete(w.partition()) && !inLog.containsKey(w.value())) {
                out.add(anomaly(AnomalyKind.LOST_WRITE, w.partition(), w.offset(), w.value(), "committed " + who
                        + ", missing from the read_uncommitted final log", t));
            }
        }
        if (!present.isEmpty() && !absent.isEmpty()) {
            Op.Txn.Write first = absent.get(0);
            out.add(anomaly(AnomalyKind.TXN_PARTIAL, first.partition(), first.offset(), first.value(), who
                    + ": read_committed holds " + values(present) + " but not " + values(absent), t));
        }
    }

    /** A read_committed consumer returned a value of a transaction that did not commit. */
    private static void abortedPolls(List<Op.Txn> txns, List<Op.Poll> polls, List<Anomaly> out) {
        Map<Long, Op.Txn> failed = new HashMap<>();
        txns.stream().filter(t -> t.meta().outcome() == Outcome.FAIL)
                .forEach(t -> t.writes().forEach(w -> failed.put(w.value(), t)));
        for (Op.Poll p : polls) {
            for (var r : p.records()) {
                Op.Txn t = failed.get(r.value());
                if (t != null) {
                    out.add(new Anomaly(AnomalyKind.ABORTED_READ, Severity.FAIL, r.partition(), r.offset(), r.value(),
                            "not committed (transaction of " + t.transactionalId() + ", process " + t.meta().process()
                                    + ", ended by " + t.end() + "), polled at read_committed by process "
                                    + p.meta().process(), List.of(t.meta().index(), p.meta().index())));
                }
            }
        }
    }

    /** Values at read_committed that no transaction and no plain send of the history wrote. */
    private static void phantoms(List<Op.Txn> txns, List<Op.Send> sends, FinalLog visible, List<Long> readOps,
                                 List<Anomaly> out) {
        Set<Long> written = new HashSet<>();
        txns.forEach(t -> t.writes().forEach(w -> written.add(w.value())));
        sends.forEach(s -> written.add(s.value()));
        visible.logs().forEach((p, records) -> records.forEach((o, v) -> {
            if (!written.contains(v)) {
                out.add(new Anomaly(AnomalyKind.PHANTOM_VALUE, Severity.FAIL, p, o, v,
                        "read at read_committed, but no operation wrote it", readOps));
            }
        }));
    }

    private static Anomaly anomaly(AnomalyKind kind, int partition, long offset, long value, String detail,
                                   Op.Txn t) {
        return new Anomaly(kind, Severity.FAIL, partition, offset, value, detail, List.of(t.meta().index()));
    }

    private static String values(List<Op.Txn.Write> writes) {
        return writes.stream().map(w -> w.value() + "@p" + w.partition()).toList().toString();
    }

    private static List<Long> ids(List<Op.FinalRead> reads) {
        return reads.stream().map(r -> r.meta().index()).toList();
    }
}
