package io.rlog.statemachine.partition;

import io.rlog.proto.AbortedTxnRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The transactions aborted on a partition, for Fetch at read_committed (KIP-98): a consumer drops the records
 * of an aborted transaction it is told about, so each fetch lists those its records overlap. The same list is
 * persisted in the store ('a' keys); this is its in-memory copy, keyed like them by the abort marker's offset.
 *
 * <p>Threads: {@link #add} and {@link #replace} on the apply thread, {@link #overlapping} from any. An abort is
 * added before the state machine publishes the offsets that make its marker visible, so a reader that sees
 * them sees it. A reader can also see an abort that is not yet visible: its range then starts at or after the
 * last stable offset the reader read (a transaction open then started there or later), so no read includes it.
 *
 * <p>The list is kept whole, as the store keeps every batch (rlog has no retention yet). A fetch looks only at
 * the aborts at or after its offset, a few for a consumer at the tail.
 */
final class AbortedTxns {

    /** Replaced whole by {@link #replace}: a reader must never see the list emptied half way. */
    private volatile ConcurrentSkipListMap<Long, AbortedTxnRecord> byLastOffset = new ConcurrentSkipListMap<>();

    void add(AbortedTxnRecord aborted) {
        byLastOffset.put(aborted.getLastOffset(), aborted);
    }

    /**
     * Replaces the list with what the store holds (open, snapshot install), at once: a reader missing an abort
     * would hand its records to a read_committed consumer.
     */
    void replace(List<AbortedTxnRecord> stored) {
        ConcurrentSkipListMap<Long, AbortedTxnRecord> loaded = new ConcurrentSkipListMap<>();
        stored.forEach(a -> loaded.put(a.getLastOffset(), a));
        byLastOffset = loaded;
    }

    /**
     * Every aborted transaction that ends at or after {@code fetchOffset} and begins before {@code endOffset}
     * (the offset after the last batch a fetch returns): Kafka's rule for the FetchResponse's list, ordered by
     * first offset.
     */
    List<PartitionStateMachine.AbortedTxn> overlapping(long fetchOffset, long endOffset) {
        List<AbortedTxnRecord> found = new ArrayList<>();
        for (AbortedTxnRecord a : byLastOffset.tailMap(fetchOffset, true).values()) {
            if (a.getFirstOffset() < endOffset) {
                found.add(a);
            }
        }
        found.sort(Comparator.comparingLong(AbortedTxnRecord::getFirstOffset));
        List<PartitionStateMachine.AbortedTxn> out = new ArrayList<>(found.size());
        for (AbortedTxnRecord a : found) {
            out.add(new PartitionStateMachine.AbortedTxn(a.getProducerId(), a.getFirstOffset()));
        }
        return out;
    }

    int size() {
        return byLastOffset.size();
    }
}
