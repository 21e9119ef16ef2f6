package io.rlog.chaos.checker;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Record;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one consumer saw, against the final log: poll-skip, nonmonotonic-poll, their within-one-poll variants,
 * and read-then-vanished. Positions are indexes in the final log, not offsets, so that gaps in offsets (which
 * Kafka allows) are not skips. Records absent from the final log are judged by read-then-vanished only.
 *
 * <p>A consumer is one process: ops of one process are in completion order, which for a single-threaded
 * consumer is also invocation order. An {@link Op.Assign} repositions it; a crash makes a new process.
 */
final class PollChecker {
    private PollChecker() {}

    /** Per partition: the final-log index of the last record read, or the index expected next after a seek. */
    private record Cursor(int index, boolean afterSeek, long op) {}

    static List<Anomaly> check(List<Op> ops, FinalLog log) {
        List<Anomaly> out = new ArrayList<>();
        Map<Integer, Map<Integer, Cursor>> cursors = new HashMap<>(); // process -> partition -> cursor
        for (Op op : ops) {
            if (op instanceof Op.Assign a && a.meta().ok()) {
                Map<Integer, Cursor> mine = new HashMap<>();
                a.positions().forEach((p, pos) ->
                        mine.put(p, new Cursor(log.indexAtOrAfter(p, pos), true, a.meta().index())));
                cursors.put(a.meta().process(), mine);
            } else if (op instanceof Op.Poll poll && poll.meta().ok()) {
                Map<Integer, Cursor> mine = cursors.computeIfAbsent(poll.meta().process(), k -> new HashMap<>());
                vanished(poll, log, out);
                byPartition(poll.records()).forEach((p, records) -> walk(poll, p, records, mine, log, out));
            }
        }
        return out;
    }

    private static void walk(Op.Poll poll, int p, List<Record> records, Map<Integer, Cursor> cursors, FinalLog log,
                             List<Anomaly> out) {
        Cursor before = cursors.get(p);
        int previous = -1; // index of the previous record of this poll
        for (Record r : records) {
            int i = log.indexOf(p, r.offset());
            if (i < 0) {
                continue;
            }
            if (previous >= 0) {
                judge(i, previous + 1, previous, AnomalyKind.INT_POLL_SKIP, AnomalyKind.INT_NONMONOTONIC_POLL,
                        poll, r, List.of(poll.meta().index()), log, out);
            } else if (before != null) {
                int expected = before.afterSeek() ? before.index() : before.index() + 1;
                judge(i, expected, expected - 1, AnomalyKind.POLL_SKIP, AnomalyKind.NONMONOTONIC_POLL, poll, r,
                        List.of(before.op(), poll.meta().index()), log, out);
            }
            previous = i;
        }
        if (previous >= 0) {
            cursors.put(p, new Cursor(previous, false, poll.meta().index()));
        }
    }

    /** Index {@code i} should be {@code expected}; at or below {@code last} it went backwards. */
    private static void judge(int i, int expected, int last, AnomalyKind skip, AnomalyKind backwards, Op.Poll poll,
                              Record r, List<Long> ops, FinalLog log, List<Anomaly> out) {
        if (i > expected) {
            out.add(new Anomaly(skip, Severity.FAIL, r.partition(), r.offset(), r.value(), "process "
                    + poll.meta().process() + " skipped " + log.valuesBetween(r.partition(), expected, i), ops));
        } else if (i <= last) {
            out.add(new Anomaly(backwards, Severity.FAIL, r.partition(), r.offset(), r.value(), "process "
                    + poll.meta().process() + " read position " + i + " after position " + last, ops));
        }
    }

    private static void vanished(Op.Poll poll, FinalLog log, List<Anomaly> out) {
        for (Record r : poll.records()) {
            if (!log.complete(r.partition())) {
                continue;
            }
            Long now = log.valueAt(r.partition(), r.offset());
            if (now == null || now != r.value()) {
                out.add(new Anomaly(AnomalyKind.READ_THEN_VANISHED, Severity.FAIL, r.partition(), r.offset(),
                        r.value(), "read by process " + poll.meta().process() + ", the final log has "
                        + (now == null ? "nothing" : now) + " there", List.of(poll.meta().index())));
            }
        }
    }

    private static Map<Integer, List<Record>> byPartition(List<Record> records) {
        Map<Integer, List<Record>> out = new LinkedHashMap<>();
        records.forEach(r -> out.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r));
        return out;
    }
}
