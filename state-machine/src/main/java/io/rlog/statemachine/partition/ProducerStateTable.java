package io.rlog.statemachine.partition;

import io.rlog.proto.BatchMark;
import io.rlog.proto.ProducerEntry;
import io.rlog.statemachine.Invariants;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka's idempotent-producer rules (KIP-98, KIP-360) for one partition, as a pure table: no I/O, no clock.
 *
 * <ul>
 *   <li>an epoch older than the producer's current one is fenced: INVALID_PRODUCER_EPOCH;</li>
 *   <li>a batch whose first and last sequence equal one of the producer's last {@value #WINDOW} batches of the
 *       same epoch is a duplicate: the caller answers with the original offsets and appends nothing;</li>
 *   <li>a newer epoch must start at sequence 0, else OUT_OF_ORDER_SEQUENCE_NUMBER;</li>
 *   <li>within an epoch the first sequence must follow the last one (wrapping at Integer.MAX_VALUE);</li>
 *   <li>a producer the table does not know must start at sequence 0, else OUT_OF_ORDER_SEQUENCE_NUMBER; so must
 *       one known only from a transaction marker (an entry without batch marks: it wrote nothing in its epoch
 *       here).</li>
 * </ul>
 * The last rule departs from Kafka's broker, which lets a producer it does not know start anywhere because its
 * state may have expired. rlog never forgets a producer, so a later first sequence means the producer's earlier
 * batches have not been written: they failed, or are still being retried. Accepting the later batch would put it
 * ahead of them (a chaos run saw exactly that after a partition healed). The Kafka client retries this refusal
 * for any batch but the one after its last acknowledged, and bumps its epoch when that one is refused. Entries
 * proposed before this rule existed are applied without it ({@code unknownStartsAtZero} false), so that a
 * replica replaying them decides as the replicas that applied them first did.
 *
 * <p>Transactions (KIP-98): an entry's {@code txn_first_offset} is the first offset of the producer's open
 * transaction on this partition. The table keeps an index of them by offset, so the last stable offset (the
 * oldest open one) is found without a scan; every change of an entry goes through {@link #put}, which keeps it.
 * Thread: confined to the apply thread. Invariant: every entry holds at most {@value #WINDOW} marks, and
 * {@code openTxns} holds exactly the entries with a {@code txn_first_offset}.
 */
public final class ProducerStateTable {

    /** How many batches per producer are remembered for duplicate detection; Kafka's fixed window. */
    public static final int WINDOW = 5;

    public sealed interface Verdict permits Accept, Duplicate, Reject {}

    public record Accept() implements Verdict {}

    public record Duplicate(long baseOffset, long lastOffset) implements Verdict {}

    public record Reject(short errorCode, String message) implements Verdict {}

    private static final Accept ACCEPT = new Accept();
    static final short OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
    static final short INVALID_PRODUCER_EPOCH = 47;

    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    /** Open transactions: first offset → producer id (first offsets are batch offsets, so distinct). */
    private final TreeMap<Long, Long> openTxns = new TreeMap<>();

    public Verdict check(long producerId, short epoch, int firstSeq, int lastSeq, boolean unknownStartsAtZero) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            if (firstSeq == 0 || !unknownStartsAtZero) {
                return ACCEPT;
            }
            return new Reject(OUT_OF_ORDER_SEQUENCE_NUMBER, "producer " + producerId + " has written nothing to"
                    + " this partition, so its first batch must start at sequence 0, got " + firstSeq
                    + " (an earlier batch failed or is still in flight)");
        }
        if (epoch < entry.getEpoch()) {
            return new Reject(INVALID_PRODUCER_EPOCH, "producer " + producerId + " epoch " + epoch
                    + " is older than the current epoch " + entry.getEpoch());
        }
        if (epoch > entry.getEpoch()) {
            return firstSeq == 0 ? ACCEPT : new Reject(OUT_OF_ORDER_SEQUENCE_NUMBER, "producer " + producerId
                    + " started epoch " + epoch + " at sequence " + firstSeq + ", expected 0");
        }
        for (BatchMark mark : entry.getBatchesList()) {
            if (mark.getFirstSequence() == firstSeq && mark.getLastSequence() == lastSeq) {
                return new Duplicate(mark.getBaseOffset(), mark.getLastOffset());
            }
        }
        int count = entry.getBatchesCount();
        int expected = count == 0 ? 0 : nextSequence(entry.getBatches(count - 1).getLastSequence());
        if ((count > 0 || unknownStartsAtZero) && firstSeq != expected) {
            return new Reject(OUT_OF_ORDER_SEQUENCE_NUMBER, "producer " + producerId + " epoch " + epoch
                    + " sent sequence " + firstSeq + ", expected " + expected);
        }
        return ACCEPT;
    }

    /**
     * Records an appended batch; returns the producer's new entry (the caller persists it). A transactional batch
     * opens the producer's transaction at {@code baseOffset} unless one is open already; an open transaction
     * stays open whatever the batch (its marker alone ends it), also across a new epoch, which rebuilds the rest.
     */
    public ProducerEntry record(long producerId, short epoch, int firstSeq, int lastSeq, long baseOffset,
                                long lastOffset, long appendTimeMs, boolean transactional) {
        ProducerEntry old = producers.get(producerId);
        // The last marker's number survives a new epoch: a late marker stays late.
        ProducerEntry.Builder b = old == null || old.getEpoch() != epoch
                ? ProducerEntry.newBuilder().setEpoch(epoch)
                        .setLastMarkerTransaction(old == null ? 0 : old.getLastMarkerTransaction())
                : old.toBuilder();
        if (old != null && old.hasTxnFirstOffset()) {
            b.setTxnFirstOffset(old.getTxnFirstOffset());
        } else if (transactional) {
            b.setTxnFirstOffset(baseOffset);
        }
        b.addBatches(BatchMark.newBuilder().setFirstSequence(firstSeq).setLastSequence(lastSeq)
                .setBaseOffset(baseOffset).setLastOffset(lastOffset));
        while (b.getBatchesCount() > WINDOW) {
            b.removeBatches(0);
        }
        ProducerEntry entry = b.setLastAppendTimeMs(appendTimeMs).build();
        put(producerId, entry);
        return entry;
    }

    /**
     * Ends the producer's transaction here (its marker was applied with {@code markerEpoch}, not older than the
     * entry's: the caller checked) and returns the new entry: no open transaction, epoch max(marker's, entry's).
     * A newer epoch clears the batch marks, as a new epoch's first batch does. A producer the table does not
     * know gets an entry with the marker's epoch and no marks: a late write of an older epoch is then fenced
     * (Kafka's TV1 would take it and leave a transaction open that no marker ends, a "hanging transaction").
     * {@code transactionNumber} becomes the last marker's when it is larger (see TxnMarker).
     */
    public ProducerEntry endTransaction(long producerId, short markerEpoch, long transactionNumber) {
        ProducerEntry old = producers.get(producerId);
        Invariants.check(old == null || markerEpoch >= old.getEpoch(), "producer %d: marker epoch %d < epoch %d",
                producerId, markerEpoch, old == null ? -1 : old.getEpoch());
        ProducerEntry entry = old == null || markerEpoch > old.getEpoch()
                ? ProducerEntry.newBuilder().setEpoch(markerEpoch)
                        .setLastAppendTimeMs(old == null ? 0 : old.getLastAppendTimeMs()).build()
                : old.toBuilder().clearTxnFirstOffset().build();
        long lastMarker = Math.max(transactionNumber, old == null ? 0 : old.getLastMarkerTransaction());
        if (entry.getLastMarkerTransaction() != lastMarker) {
            entry = entry.toBuilder().setLastMarkerTransaction(lastMarker).build();
        }
        put(producerId, entry);
        return entry;
    }

    /** Restores one entry read back from storage. */
    public void restore(long producerId, ProducerEntry entry) {
        Invariants.check(entry.getBatchesCount() <= WINDOW, "producer %d has %d marks", producerId,
                entry.getBatchesCount());
        put(producerId, entry);
    }

    /** The only write to {@code producers}: keeps {@code openTxns} in step with the entries. */
    private void put(long producerId, ProducerEntry entry) {
        ProducerEntry old = producers.put(producerId, entry);
        if (old != null && old.hasTxnFirstOffset()) {
            openTxns.remove(old.getTxnFirstOffset());
        }
        if (entry.hasTxnFirstOffset()) {
            Long other = openTxns.put(entry.getTxnFirstOffset(), producerId);
            Invariants.check(other == null || other == producerId, "producers %d and %d both opened a transaction"
                    + " at offset %d", other, producerId, entry.getTxnFirstOffset());
        }
    }

    /** The first offset of the oldest open transaction, or -1 when none is open. */
    public long firstOpenTxnOffset() {
        return openTxns.isEmpty() ? -1 : openTxns.firstKey();
    }

    /** Open transactions, first offset → producer id, oldest first (a view). */
    public Map<Long, Long> openTransactions() {
        return java.util.Collections.unmodifiableMap(openTxns);
    }

    public ProducerEntry get(long producerId) {
        return producers.get(producerId);
    }

    public int size() {
        return producers.size();
    }

    public void clear() {
        producers.clear();
        openTxns.clear();
    }

    void remove(long producerId) {
        ProducerEntry old = producers.remove(producerId);
        if (old != null && old.hasTxnFirstOffset()) {
            openTxns.remove(old.getTxnFirstOffset());
        }
    }

    public Map<Long, ProducerEntry> view() {
        return java.util.Collections.unmodifiableMap(producers);
    }

    static int nextSequence(int seq) {
        return seq == Integer.MAX_VALUE ? 0 : seq + 1;
    }
}
