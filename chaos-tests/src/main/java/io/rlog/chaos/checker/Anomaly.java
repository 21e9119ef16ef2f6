package io.rlog.chaos.checker;

import java.util.List;

/**
 * One anomaly found in a history.
 *
 * @param partition -1 when it is not about one partition
 * @param offset    -1 when unknown or not applicable
 * @param value     -1 when not about one value
 * @param ops       indexes of the operations that show it, for finding them in the JSON Lines file
 */
public record Anomaly(AnomalyKind kind, Severity severity, int partition, long offset, long value, String detail,
                      List<Long> ops) {
    public Anomaly {
        ops = List.copyOf(ops);
    }

    @Override
    public String toString() {
        return severity + " " + kind.id() + " p=" + partition + " o=" + offset + " v=" + value + ": " + detail
                + " ops=" + ops;
    }
}
