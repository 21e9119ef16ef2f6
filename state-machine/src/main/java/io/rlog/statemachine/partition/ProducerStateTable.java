package io.rlog.statemachine.partition;

import io.rlog.proto.BatchMark;
import io.rlog.proto.ProducerEntry;
import io.rlog.statemachine.Invariants;

import java.util.HashMap;
import java.util.Map;

/**
 * Kafka's idempotent-producer rules (KIP-98, KIP-360) for one partition, as a pure table: no I/O, no clock.
 *
 * <ul>
 *   <li>an epoch older than the producer's current one is fenced: INVALID_PRODUCER_EPOCH;</li>
 *   <li>a batch whose first and last sequence equal one of the producer's last {@value #WINDOW} batches of the
 *       same epoch is a duplicate: the caller answers with the original offsets and appends nothing;</li>
 *   <li>a newer epoch must start at sequence 0, else OUT_OF_ORDER_SEQUENCE_NUMBER;</li>
 *   <li>within an epoch the first sequence must follow the last one (wrapping at Integer.MAX_VALUE);</li>
 *   <li>a producer the table does not know must start at sequence 0, else OUT_OF_ORDER_SEQUENCE_NUMBER.</li>
 * </ul>
 * The last rule departs from Kafka's broker, which lets a producer it does not know start anywhere because its
 * state may have expired. rlog never forgets a producer, so a later first sequence means the producer's earlier
 * batches have not been written: they failed, or are still being retried. Accepting the later batch would put it
 * ahead of them (a chaos run saw exactly that after a partition healed). The Kafka client retries this refusal
 * for any batch but the one after its last acknowledged, and bumps its epoch when that one is refused. Entries
 * proposed before this rule existed are applied without it ({@code unknownStartsAtZero} false), so that a
 * replica replaying them decides as the replicas that applied them first did.
 * Thread: confined to the apply thread. Invariant: every entry holds at most {@value #WINDOW} marks.
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
        if (count > 0 && firstSeq != expected) {
            return new Reject(OUT_OF_ORDER_SEQUENCE_NUMBER, "producer " + producerId + " epoch " + epoch
                    + " sent sequence " + firstSeq + ", expected " + expected);
        }
        return ACCEPT;
    }

    /** Records an appended batch; returns the producer's new entry (the caller persists it). */
    public ProducerEntry record(long producerId, short epoch, int firstSeq, int lastSeq, long baseOffset,
                                long lastOffset, long appendTimeMs) {
        ProducerEntry old = producers.get(producerId);
        ProducerEntry.Builder b = old == null || old.getEpoch() != epoch
                ? ProducerEntry.newBuilder().setEpoch(epoch) : old.toBuilder();
        b.addBatches(BatchMark.newBuilder().setFirstSequence(firstSeq).setLastSequence(lastSeq)
                .setBaseOffset(baseOffset).setLastOffset(lastOffset));
        while (b.getBatchesCount() > WINDOW) {
            b.removeBatches(0);
        }
        ProducerEntry entry = b.setLastAppendTimeMs(appendTimeMs).build();
        producers.put(producerId, entry);
        return entry;
    }

    /** Restores one entry read back from storage. */
    public void restore(long producerId, ProducerEntry entry) {
        Invariants.check(entry.getBatchesCount() <= WINDOW, "producer %d has %d marks", producerId,
                entry.getBatchesCount());
        producers.put(producerId, entry);
    }

    public ProducerEntry get(long producerId) {
        return producers.get(producerId);
    }

    public int size() {
        return producers.size();
    }

    public void clear() {
        producers.clear();
    }

    void remove(long producerId) {
        producers.remove(producerId);
    }

    public Map<Long, ProducerEntry> view() {
        return java.util.Collections.unmodifiableMap(producers);
    }

    static int nextSequence(int seq) {
        return seq == Integer.MAX_VALUE ? 0 : seq + 1;
    }
}
