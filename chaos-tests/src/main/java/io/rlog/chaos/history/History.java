package io.rlog.chaos.history;

import java.util.List;

/** A run's header and its operations in completion order: the checker's whole input. */
public record History(RunInfo info, List<Op> ops) {
    public History {
        ops = List.copyOf(ops);
    }

    public <T extends Op> List<T> ops(Class<T> kind) {
        return ops.stream().filter(kind::isInstance).map(kind::cast).toList();
    }
}
