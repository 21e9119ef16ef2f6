package io.rlog.statemachine.partition;

import io.rlog.proto.AbortedTxnRecord;
import io.rlog.proto.ProducerEntry;
import io.rlog.statemachine.Invariants;

import java.nio.ByteBuffer;
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
 * <p>Transactions (KIP-98): a producer's first transactional batch here opens its transaction; the
 * coordinator's marker ({@link #endTransaction}) ends it with a control batch. The last stable offset is the
 * first offset of the oldest open transaction, or the log end when none is open.
 *
 * <p>Thread: confined to the apply thread; readers see {@link #logEndOffset()} through the store's published
 * high watermark instead. Invariant: logStartOffset <= lastStableOffset <= logEndOffset, and logEndOffset only
 * grows.
 */
public final class PartitionLog {

    public sealed interface Outcome permits Appended, Duplicated, Rejected {}

    /** What a transaction marker did: {@link Marked}, or {@link Late} or {@link Rejected} with nothing changed. */
    public sealed interface MarkerOutcome permits Marked, Late, Rejected {}

    /**
     * A late copy of a marker already applied for this producer here (its transaction number is not above the last
     * one's): nothing changes, and it is answered as a marker that found nothing open.
     */
    public record Late(long producerId, long transactionNumber) implements MarkerOutcome {}

    /** The batches were assigned offsets; {@code producerUpdates} must be persisted with them. */
    public record Appended(long baseOffset, long lastOffset, List<Placement> placements,
                           Map<Long, ProducerEntry> producerUpdates) implements Outcome {}

    public record Placement(BatchHeader header, long baseOffset) {}

    /** A retry of a batch already in the log: answer with its original offsets, append nothing. */
    public record Duplicated(long baseOffset, long lastOffset) implements Outcome {}

    public record Rejected(short errorCode, String message) implements Outcome, MarkerOutcome {}

    /**
     * A marker applied: {@code controlBatch} (the bytes, positioned at 0) went at {@code placement}, both null
     * when the producer had no open transaction here ({@code baseOffset} -1 then); {@code producer} is the
     * producer's new entry and {@code aborted} the range an abort ended (null for a commit or when nothing was
     * open). All of it must be persisted together.
     */
    public record Marked(long baseOffset, Placement placement, ByteBuffer controlBatch, long producerId,
                         ProducerEntry producer, AbortedTxnRecord aborted) implements MarkerOutcome {}

    static final short INVALID_RECORD = 87;
    static final short INVALID_TXN_STATE = 48;

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
            if (b.control()) {
                return new Rejected(INVALID_RECORD, "control batches come only from the transaction coordinator");
            }
            if (b.transactional() && !b.idempotent()) {
                return new Rejected(INVALID_RECORD, "a transactional batch must have a producer id");
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
                ProducerEntry current = producers.get(b.producerId());
                if (!b.transactional() && current != null && current.hasTxnFirstOffset()) {
                    // Kafka's rule: once a producer's transaction is open here, its writes belong to it until the
                    // marker; a plain write in between would be neither committed nor aborted with it.
                    rollback(before);
                    return new Rejected(INVALID_TXN_STATE, "producer " + b.producerId() + " has a transaction open"
                            + " since offset " + current.getTxnFirstOffset() + ": expected a transactional batch");
                }
                before.putIfAbsent(b.producerId(), current);
                long last = next + b.lastOffsetDelta();
                updates.put(b.producerId(), producers.record(b.producerId(), b.producerEpoch(), b.baseSequence(),
                        b.lastSequence(), next, last, appendTimeMs, b.transactional()));
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

    /**
     * Applies the coordinator's marker for {@code producerId}'s transaction (Kafka's WriteTxnMarkers). Refused
     * with INVALID_PRODUCER_EPOCH, changing nothing, when its epoch is older than the producer's here. Otherwise:
     * an open transaction gets its control batch at the log end (and, on abort, its range is returned for the
     * aborted list); the producer's entry takes the larger of the two epochs and has no open transaction, and a
     * producer unknown here gets one (see {@link ProducerStateTable#endTransaction}). {@code transactionNumber} is
     * the transactional id's count of its transactions (0: not numbered): a number not above the last one applied
     * for this producer here makes the marker a {@link Late} copy, which changes nothing.
     */
    public MarkerOutcome endTransaction(long producerId, int markerEpoch, boolean commit, int coordinatorEpoch,
                                        long appendTimeMs, long transactionNumber) {
        if (producerId < 0 || markerEpoch < 0 || markerEpoch > Short.MAX_VALUE) {
            return new Rejected(INVALID_RECORD, "marker for producer " + producerId + " epoch " + markerEpoch);
        }
        short epoch = (short) markerEpoch;
        ProducerEntry entry = producers.get(producerId);
        if (entry != null && epoch < entry.getEpoch()) {
            return new Rejected(ProducerStateTable.INVALID_PRODUCER_EPOCH, "marker for producer " + producerId
                    + " epoch " + epoch + " is older than the current epoch " + entry.getEpoch());
        }
        if (transactionNumber > 0 && entry != null && transactionNumber <= entry.getLastMarkerTransaction()) {
            return new Late(producerId, transactionNumber);
        }
        Placement placement = null;
        ByteBuffer batch = null;
        AbortedTxnRecord aborted = null;
        long offset = -1;
        if (entry != null && entry.hasTxnFirstOffset()) {
            offset = logEndOffset;
            batch = ControlBatch.build(producerId, epoch, commit, coordinatorEpoch, appendTimeMs);
            BatchHeader header;
            try {
                header = BatchHeader.parseAll(batch).get(0);
            } catch (BatchHeader.MalformedBatchException e) {
                throw new IllegalStateException("a control batch built here does not parse", e);
            }
            placement = new Placement(header, offset);
            if (!commit) {
                aborted = AbortedTxnRecord.newBuilder().setProducerId(producerId)
                        .setFirstOffset(entry.getTxnFirstOffset()).setLastOffset(offset).build();
            }
            if (header.maxTimestamp() > maxTimestamp) {
                maxTimestamp = header.maxTimestamp();
                maxTimestampOffset = offset;
            }
            logEndOffset = offset + 1;
        }
        ProducerEntry updated = producers.endTransaction(producerId, epoch, transactionNumber);
        return new Marked(offset, placement, batch, producerId, updated, aborted);
    }

    /** The first offset of the oldest open transaction, or the log end when none is open. */
    public long lastStableOffset() {
        long first = producers.firstOpenTxnOffset();
        return first < 0 ? logEndOffset : first;
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
