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

    /**
     * One poll of a consumer, with every record it returned in the order returned. {@code readCommitted}: the
     * consumer used {@code isolation.level=read_committed} (it then returns no record of an aborted transaction).
     */
    record Poll(Meta meta, List<Record> records, boolean readCommitted) implements Op {
        public Poll {
            records = List.copyOf(records);
        }

        /** A read_uncommitted poll, as every poll was before transactions. */
        public Poll(Meta meta, List<Record> records) {
            this(meta, records, false);
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
     *
     * <p>{@code readCommitted}: the reader used {@code isolation.level=read_committed}, so it returns no record of
     * an aborted or still open transaction, and {@code endOffsets} are the last stable offsets it read up to.
     * Such a read is not a copy of the log (it lacks the aborted records), so only the transaction checks use it.
     */
    record FinalRead(Meta meta, int reader, SortedMap<Integer, Long> endOffsets, List<Record> records,
                     boolean complete, boolean readCommitted) implements Op {
        public FinalRead {
            endOffsets = sorted(endOffsets);
            records = List.copyOf(records);
        }

        /** A read_uncommitted read, as every final read was before transactions. */
        public FinalRead(Meta meta, int reader, SortedMap<Integer, Long> endOffsets, List<Record> records,
                         boolean complete) {
            this(meta, reader, endOffsets, records, complete, false);
        }
    }

    /**
     * One transaction of a transactional producer (KIP-98): begin, the sends, then commit or abort. {@code writes}
     * are the values the producer accepted, in send order, each with the offset the broker acknowledged (-1 when
     * none). {@code end} is what the producer attempted last: "commit", "abort", or "none" (it was fenced or
     * crashed before ending the transaction).
     *
     * <p>The outcome is the transaction's: OK = committed (commitTransaction returned); FAIL = definitely not
     * committed (aborted, or commitTransaction was never called, so the coordinator aborts it); INFO = unknown
     * (commitTransaction threw something that does not say whether the commit took effect). Its sends are not
     * {@link Send}s: the rules for plain sends (an acknowledged send is in the log) do not hold for a value whose
     * transaction aborted.
     */
    record Txn(Meta meta, String transactionalId, String end, List<Write> writes) implements Op {
        static final java.util.Set<String> END_VALUES = java.util.Set.of("commit", "abort", "none");

        public Txn {
            writes = List.copyOf(writes);
            if (!END_VALUES.contains(end)) {
                throw new IllegalArgumentException("a transaction ends with commit, abort or none, not " + end);
            }
        }

        /** One value sent inside the transaction; {@code offset} is -1 unless the broker acknowledged it. */
        public record Write(int partition, long value, long offset) {}
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
