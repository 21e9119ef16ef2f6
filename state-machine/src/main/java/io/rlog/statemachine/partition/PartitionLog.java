package io.rlog.statemachine.partition;

import io.rlog.proto.ProducerEntry;
import io.rlog.statemachine.Invariants;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deterministic heart of a partition: decides where an append goes. Offsets are assigned here, at apply,
 * so every replica assigns the same ones (baseOffset = logEndOffset) and no Raft-index-to-offset translation
 * exists. No I/O, no clock: the append time comes in with the entry.
 *
 * <p>Thread: confined to the apply thread; readers see {@link #logEndOffset()} through the store's published
 * high watermark instead. Invariant: logStartOffset <= logEndOffset, and logEndOffset only grows.
 */
public final class PartitionLog {

    public sealed interface Outcome permits Appended, Duplicated, Rejected {}

    /** The batches were assigned offsets; {@code producerUpdates} must be persisted with them. */
    public record Appended(long baseOffset, long lastOffset, List<Placement> placements,
                           Map<Long, ProducerEntry> producerUpdates) implements Outcome {}

    public record Placement(BatchHeader header, long baseOffset) {}

    /** A retry of a batch already in the log: answer with its original offsets, append nothing. */
    public record Duplicated(long baseOffset, long lastOffset) implements Outcome {}

    public record Rejected(short errorCode, String message) implements Outcome {}

    static final short INVALID_RECORD = 87;

    private final ProducerStateTable producers = new ProducerStateTable();
    private long logStartOffset;
    private long logEndOffset;
    private long maxTimestamp = -1;
    private long maxTimestampOffset = -1;

    /** Appends with the current sequence rules (an unknown producer starts at sequence 0). */
    public Outcome append(List<BatchHeader> batches, long appendTimeMs) {
        return append(batches, appendTimeMs, true);
    }

    /**
     * Appends {@code batches}, or refuses them all. {@code unknownProducerStartsAtZero} is the rule the entry was
     * proposed with (see ProducerStateTable): false only for entries written before the rule existed.
     */
    public Outcome append(List<BatchHeader> batches, long appendTimeMs, boolean unknownProducerStartsAtZero) {
        for (BatchHeader b : batches) {
            if (b.transactional() || b.control()) {
                return new Rejected(INVALID_RECORD, "transactional and control batches are not supported");
            }
        }
        Map<Long, ProducerEntry> before = new HashMap<>();
        Map<Long, ProducerEntry> updates = new LinkedHashMap<>();
        List<Placement> placements = new ArrayList<>(batches.size());
        long next = logEndOffset;
        for (BatchHeader b : batches) {
            if (b.idempotent()) {
                ProducerStateTable.Verdict verdict = producers.check(b.producerId(), b.producerEpoch(),
                        b.baseSequence(), b.lastSequence(), unknownProducerStartsAtZero);
                if (verdict instanceof ProducerStateTable.Duplicate d && placements.isEmpty()) {
                    rollback(before);
                    return new Duplicated(d.baseOffset(), d.lastOffset());
                }
                if (verdict instanceof ProducerStateTable.Reject r) {
                    rollback(before);
                    return new Rejected(r.errorCode(), r.message());
                }
                if (verdict instanceof ProducerStateTable.Duplicate) {
                    rollback(before);
                    return new Rejected(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER,
                            "a duplicate batch follows a new one in the same request");
                }
                before.putIfAbsent(b.producerId(), producers.get(b.producerId()));
                long last = next + b.lastOffsetDelta();
                updates.put(b.producerId(), producers.record(b.producerId(), b.producerEpoch(), b.baseSequence(),
                        b.lastSequence(), next, last, appendTimeMs));
            }
            placements.add(new Placement(b, next));
            next += (long) b.lastOffsetDelta() + 1;
        }
        long base = logEndOffset;
        for (Placement p : placements) {
            if (p.header().maxTimestamp() > maxTimestamp) {
                maxTimestamp = p.header().maxTimestamp();
                maxTimestampOffset = p.baseOffset() + p.header().lastOffsetDelta();
            }
        }
        Invariants.check(next > logEndOffset, "append of %d batches did not advance %d", batches.size(), next);
        logEndOffset = next;
        return new Appended(base, next - 1, placements, updates);
    }

    private void rollback(Map<Long, ProducerEntry> before) {
        before.forEach((pid, entry) -> {
            if (entry == null) {
                producers.remove(pid);
            } else {
                producers.restore(pid, entry);
            }
        });
    }

    /** An independent copy of this log's state (a leader's look-ahead, {@link AppendProjection}, starts from one). */
    public PartitionLog copy() {
        PartitionLog c = new PartitionLog();
        c.restore(logStartOffset, logEndOffset, maxTimestamp, maxTimestampOffset, producers.view());
        return c;
    }

    /** Sets the state read back from storage (start, or after a snapshot install). */
    public void restore(long logStartOffset, long logEndOffset, long maxTimestamp, long maxTimestampOffset,
                        Map<Long, ProducerEntry> producerEntries) {
        Invariants.check(logStartOffset <= logEndOffset, "log start %d > log end %d", logStartOffset, logEndOffset);
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.maxTimestamp = maxTimestamp;
        this.maxTimestampOffset = maxTimestampOffset;
        producers.clear();
        producerEntries.forEach(producers::restore);
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long maxTimestamp() {
        return maxTimestamp;
    }

    public long maxTimestampOffset() {
        return maxTimestampOffset;
    }

    public ProducerStateTable producers() {
        return producers;
    }
}
