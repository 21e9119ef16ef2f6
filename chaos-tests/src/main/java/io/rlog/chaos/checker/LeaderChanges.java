package io.rlog.chaos.checker;

import io.rlog.chaos.history.Op;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When a partition's leader may have changed, for the acks=1 rule: an acks=1 write may be lost only across a
 * leader change (DESIGN: the write path). Evidence is any nemesis event (every fault can depose a leader) and
 * any change an observer saw. Erring towards "may have changed" only turns a FAIL into an INFO, never the
 * reverse.
 */
final class LeaderChanges {
    private final List<Long> nemesisNanos = new ArrayList<>();
    private final Map<Integer, List<Long>> observedChangeNanos = new HashMap<>();

    LeaderChanges(List<Op> ops) {
        Map<Integer, Integer> last = new HashMap<>();
        for (Op op : ops) {
            if (op instanceof Op.Nemesis n) {
                nemesisNanos.add(n.meta().completeNanos());
            } else if (op instanceof Op.LeaderSeen l) {
                Integer before = last.put(l.partition(), l.leader());
                if (before != null && before != l.leader()) {
                    observedChangeNanos.computeIfAbsent(l.partition(), k -> new ArrayList<>())
                            .add(l.meta().completeNanos());
                }
            }
        }
    }

    /** True if the partition's leader may have changed at or after {@code nanos}. */
    boolean mayChangeAfter(int partition, long nanos) {
        return nemesisNanos.stream().anyMatch(t -> t >= nanos)
                || observedChangeNanos.getOrDefault(partition, List.of()).stream().anyMatch(t -> t >= nanos);
    }
}
