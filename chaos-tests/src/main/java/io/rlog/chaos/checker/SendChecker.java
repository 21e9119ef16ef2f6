package io.rlog.chaos.checker;

import io.rlog.chaos.history.Acks;
import io.rlog.chaos.history.Op;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Durability and ordering of sends: lost-write, unseen, nonmonotonic-send.
 *
 * <p>Expectations per mode: acks=all loses nothing acknowledged; acks=1 may lose an acknowledged write only
 * across a leader change (then INFO); acks=0 acknowledges nothing, so its sends are not judged here. An INFO
 * send may or may not be in the log and is never lost. Producer order is a promise of the idempotent producer
 * (KIP-98: in-order per partition with up to 5 in flight); other producers report reordering as INFO.
 */
final class SendChecker {
    private SendChecker() {}

    static List<Anomaly> check(List<Op.Send> sends, FinalLog log, Observations seen, LeaderChanges leaders) {
        List<Anomaly> out = new ArrayList<>();
        Map<Long, Long> finalOffsetOf = new HashMap<>();
        log.logs().forEach((p, records) -> records.forEach((o, v) -> finalOffsetOf.putIfAbsent(v, o)));
        for (Op.Send s : sends) {
            if (!s.meta().ok() || s.acks() == Acks.ZERO) {
                continue;
            }
            boolean mayBeLost = s.acks() == Acks.ONE && leaders.mayChangeAfter(s.partition(), s.meta().invokeNanos());
            Long at = finalOffsetOf.get(s.value());
            if (at != null) {
                if (s.offset() >= 0 && at != s.offset() && log.valueAt(s.partition(), s.offset()) == null) {
                    out.add(anomaly(AnomalyKind.INCONSISTENT_OFFSETS, mayBeLost, s,
                            "acknowledged at offset " + s.offset() + " but the final log has it at " + at));
                }
            } else if (log.complete(s.partition())) {
                out.add(anomaly(AnomalyKind.LOST_WRITE, mayBeLost, s, "acknowledged (acks=" + s.acks().config()
                        + ") at offset " + s.offset() + ", missing from the final log"
                        + (mayBeLost ? " (a leader change may explain it: acks=1)" : "")));
            } else if (!seen.everRead(s.value())) {
                out.add(new Anomaly(AnomalyKind.UNSEEN, Severity.INFO, s.partition(), s.offset(), s.value(),
                        "acknowledged, never read, and the final read of the partition is incomplete",
                        List.of(s.meta().index())));
            }
        }
        out.addAll(nonmonotonic(sends));
        return out;
    }

    private static Anomaly anomaly(AnomalyKind kind, boolean allowed, Op.Send s, String detail) {
        return new Anomaly(kind, allowed ? Severity.INFO : Severity.FAIL, s.partition(), s.offset(), s.value(),
                detail, List.of(s.meta().index()));
    }

    /** Per (producer, partition), acknowledged offsets must rise in the order the sends were invoked. */
    private static List<Anomaly> nonmonotonic(List<Op.Send> sends) {
        Map<String, List<Op.Send>> streams = new HashMap<>();
        for (Op.Send s : sends) {
            if (s.meta().ok() && s.offset() >= 0) {
                streams.computeIfAbsent(s.meta().process() + "/" + s.partition(), k -> new ArrayList<>()).add(s);
            }
        }
        List<Anomaly> out = new ArrayList<>();
        for (List<Op.Send> stream : streams.values()) {
            stream.sort(Comparator.comparingLong((Op.Send s) -> s.meta().invokeNanos())
                    .thenComparingLong(s -> s.meta().index()));
            for (int i = 1; i < stream.size(); i++) {
                Op.Send a = stream.get(i - 1);
                Op.Send b = stream.get(i);
                if (b.offset() <= a.offset()) {
                    boolean promised = b.idempotent() && a.idempotent();
                    out.add(new Anomaly(AnomalyKind.NONMONOTONIC_SEND, promised ? Severity.FAIL : Severity.INFO,
                            b.partition(), b.offset(), b.value(), "process " + b.meta().process() + " sent "
                            + a.value() + " (offset " + a.offset() + ") before " + b.value() + " (offset "
                            + b.offset() + ")", List.of(a.meta().index(), b.meta().index())));
                }
            }
        }
        return out;
    }
}
