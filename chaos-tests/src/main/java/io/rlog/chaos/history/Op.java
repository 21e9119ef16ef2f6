package io.rlog.chaos.history;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One completed operation of a run. The kinds are the records below; each JSON line names its kind in
 * {@code "type"} (see {@link HistoryCodec}). Maps keyed by partition are sorted, so histories print stably.
 */
public sealed interface Op {
    Meta meta();

    /**
     * One value sent to one partition. {@code offset} is the offset the broker reported (-1 when none: not OK,
     * or acks=0).
     */
    record Send(Meta meta, int partition, long value, long offset, Acks acks, boolean idempotent) implements Op {}

    /** One poll of a consumer, with every record it returned in the order returned. */
    record Poll(Meta meta, List<Record> records) implements Op {
        public Poll {
            records = List.copyOf(records);
        }
    }

    /**
     * A consumer was (re)positioned: assign and seek, a reset after an error, or a subscribe-mode
     * assignment. {@code positions} is the next offset it will read per partition.
     */
    record Assign(Meta meta, SortedMap<Integer, Long> positions) implements Op {
        public Assign {
            positions = sorted(positions);
        }
    }

    /** An offset commit of a consumer group: the next offset to read per partition. */
    record Commit(Meta meta, String group, SortedMap<Integer, Long> offsets) implements Op {
        public Commit {
            offsets = sorted(offsets);
        }
    }

    /** A read of a group's committed offsets (for example through the admin client). */
    record CommittedRead(Meta meta, String group, SortedMap<Integer, Long> offsets) implements Op {
        public CommittedRead {
            offsets = sorted(offsets);
        }
    }

    /**
     * A full read of every partition after healing, by one independent consumer. {@code endOffsets} is the
     * log end the reader aimed for; {@code complete} says it reached it on every partition.
     */
    record FinalRead(Meta meta, int reader, SortedMap<Integer, Long> endOffsets, List<Record> records,
                     boolean complete) implements Op {
        public FinalRead {
            endOffsets = sorted(endOffsets);
            records = List.copyOf(records);
        }
    }

    /** The leader of a partition as an observer saw it (recorded when it changes). */
    record LeaderSeen(Meta meta, int partition, int leader) implements Op {}

    /**
     * A nemesis action: {@code phase} is "start" or "heal"; {@code fault} names the fault (kill, pause,
     * partition...), {@code targets} the nodes it touched, {@code detail} the shape (for example the cut links).
     */
    record Nemesis(Meta meta, String fault, String phase, List<Integer> targets, String detail) implements Op {
        public Nemesis {
            targets = List.copyOf(targets);
        }
    }

    private static SortedMap<Integer, Long> sorted(Map<Integer, Long> m) {
        return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(m));
    }
}
