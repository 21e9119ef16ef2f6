package io.rlog.chaos.checker;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Consumer-group offsets: commit-beyond-log-end and committed-offset-regression.
 *
 * <p>A regression is a read of a group's committed offset below the last acknowledged commit before that
 * read, unless a commit that may have applied since then (concurrent with or after it, including INFO ones)
 * explains the lower value. Absent offsets read as -1.
 */
final class CommitChecker {
    private CommitChecker() {}

    static List<Anomaly> check(List<Op> ops, FinalLog log) {
        List<Anomaly> out = new ArrayList<>();
        List<Op.Commit> commits = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Op.Commit c) {
                commits.add(c);
                if (c.meta().ok()) {
                    beyondEnd(c.offsets(), c.meta().index(), "committed", log, out);
                }
            } else if (op instanceof Op.CommittedRead r && r.meta().ok()) {
                beyondEnd(r.offsets(), r.meta().index(), "read as committed", log, out);
            }
        }
        for (Op op : ops) {
            if (op instanceof Op.CommittedRead r && r.meta().ok()) {
                regressions(r, commits, out);
            }
        }
        return out;
    }

    private static void beyondEnd(Map<Integer, Long> offsets, long op, String what, FinalLog log, List<Anomaly> out) {
        offsets.forEach((p, offset) -> {
            if (log.complete(p) && offset > log.endOffset(p)) {
                out.add(new Anomaly(AnomalyKind.COMMIT_BEYOND_LOG_END, Severity.FAIL, p, offset, -1, what + " "
                        + offset + " but the final log ends at " + log.endOffset(p), List.of(op)));
            }
        });
    }

    private static void regressions(Op.CommittedRead read, List<Op.Commit> all, List<Anomaly> out) {
        Set<Integer> partitions = new TreeSet<>(read.offsets().keySet());
        all.stream().filter(c -> c.group().equals(read.group())).forEach(c -> partitions.addAll(c.offsets().keySet()));
        for (int p : partitions) {
            List<Op.Commit> mine = all.stream()
                    .filter(c -> c.group().equals(read.group()) && c.offsets().containsKey(p)).toList();
            Optional<Op.Commit> last = mine.stream()
                    .filter(c -> c.meta().ok() && c.meta().completeNanos() < read.meta().invokeNanos())
                    .max(Comparator.comparingLong(c -> c.meta().completeNanos()));
            if (last.isEmpty()) {
                continue;
            }
            long floor = last.get().offsets().get(p);
            for (Op.Commit c : mine) {
                boolean mayHaveApplied = c.meta().outcome() != Outcome.FAIL
                        && c.meta().invokeNanos() < read.meta().completeNanos()
                        && c.meta().completeNanos() > last.get().meta().invokeNanos();
                if (mayHaveApplied) {
                    floor = Math.min(floor, c.offsets().get(p));
                }
            }
            long seen = read.offsets().getOrDefault(p, -1L);
            if (seen < floor) {
                out.add(new Anomaly(AnomalyKind.COMMITTED_OFFSET_REGRESSION, Severity.FAIL, p, seen, -1, "group "
                        + read.group() + " read committed offset " + seen + " after commit "
                        + last.get().offsets().get(p) + " was acknowledged",
                        List.of(last.get().meta().index(), read.meta().index())));
            }
        }
    }
}
