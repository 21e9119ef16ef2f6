package io.rlog.chaos.checker;

import io.rlog.chaos.history.Acks;
import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Record;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every (partition, offset, value) that any operation reported: acknowledged sends (plain or in a transaction),
 * polls and final reads (read_committed ones too: they must agree with the others wherever both have a record).
 * The offset and duplicate checks run on these.
 */
final class Observations {
    /** One report of a value at a position. {@code weak} marks an acks=1 acknowledgement a leader change may void. */
    record Seen(int partition, long offset, long value, long op, boolean read, boolean weak) {}

    record Position(int partition, long offset) {}

    private final Map<Position, Map<Long, List<Seen>>> byPosition = new LinkedHashMap<>();
    private final Map<Long, List<Seen>> readsByValue = new HashMap<>();

    Observations(List<Op> ops, LeaderChanges leaders) {
        for (Op op : ops) {
            if (op instanceof Op.Send s && s.meta().ok() && s.offset() >= 0) {
                boolean weak = s.acks() == Acks.ONE && leaders.mayChangeAfter(s.partition(), s.meta().invokeNanos());
                add(new Seen(s.partition(), s.offset(), s.value(), s.meta().index(), false, weak));
            } else if (op instanceof Op.Txn t) {
                // A transactional send acknowledged at an offset holds it whatever the transaction's outcome: an
                // abort hides the record from read_committed readers, it does not remove it from the log.
                t.writes().stream().filter(w -> w.offset() >= 0).forEach(w -> add(new Seen(w.partition(), w.offset(),
                        w.value(), t.meta().index(), false, false)));
            } else if (op instanceof Op.Poll p) {
                p.records().forEach(r -> add(read(r, p)));
            } else if (op instanceof Op.FinalRead f) {
                f.records().forEach(r -> add(read(r, f)));
            }
        }
    }

    private static Seen read(Record r, Op op) {
        return new Seen(r.partition(), r.offset(), r.value(), op.meta().index(), true, false);
    }

    private void add(Seen s) {
        byPosition.computeIfAbsent(new Position(s.partition(), s.offset()), k -> new LinkedHashMap<>())
                .computeIfAbsent(s.value(), k -> new ArrayList<>()).add(s);
        if (s.read()) {
            readsByValue.computeIfAbsent(s.value(), k -> new ArrayList<>()).add(s);
        }
    }

    /** Position -> value -> the reports of that value there. */
    Map<Position, Map<Long, List<Seen>>> byPosition() {
        return byPosition;
    }

    /** Value -> every read of it (polls and final reads). */
    Map<Long, List<Seen>> readsByValue() {
        return readsByValue;
    }

    boolean everRead(long value) {
        return readsByValue.containsKey(value);
    }
}
