package io.rlog.cli.bench;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Exact loss and duplicate accounting for one case: which sequence numbers the producer saw acknowledged or
 * failed, and which the read-back found, each offset counted once. Pure (no I/O, no clock); thread-safe, as
 * acknowledgements arrive on the producer's I/O thread while the read-back runs on another.
 */
public final class LossAccount {
    /** Lost sequences listed in the result, so a user can look them up. */
    static final int EXAMPLES_MAX = 10;

    private final BitSet acked = new BitSet();
    private final BitSet failed = new BitSet();
    private final BitSet read = new BitSet();
    private long readTotal;
    private long duplicates;
    private long foreign;

    public synchronized void acked(long seq) {
        acked.set(index(seq));
    }

    public synchronized void failed(long seq) {
        failed.set(index(seq));
    }

    /** One record found by the read-back; a second sighting of a sequence at another offset is a duplicate. */
    public synchronized void read(long seq) {
        int i = index(seq);
        readTotal++;
        if (read.get(i)) {
            duplicates++;
        } else {
            read.set(i);
        }
    }

    /** A record in the topic that this run did not write (another run's header, or too short). */
    public synchronized void foreign() {
        foreign++;
    }

    public synchronized Loss result() {
        BitSet lost = (BitSet) acked.clone();
        lost.andNot(read);
        BitSet unacked = (BitSet) read.clone();
        unacked.andNot(acked);
        BitSet failedButPresent = (BitSet) failed.clone();
        failedButPresent.and(read);
        List<Long> examples = new ArrayList<>();
        for (int i = lost.nextSetBit(0); i >= 0 && examples.size() < EXAMPLES_MAX; i = lost.nextSetBit(i + 1)) {
            examples.add((long) i);
        }
        return new Loss(acked.cardinality(), failed.cardinality(), readTotal, read.cardinality(),
                lost.cardinality(), duplicates, unacked.cardinality(), failedButPresent.cardinality(), foreign,
                examples);
    }

    private static int index(long seq) {
        if (seq < 0 || seq > CaseSpec.RECORDS_MAX) {
            throw new IllegalArgumentException("sequence out of range: " + seq);
        }
        return (int) seq;
    }

    /**
     * @param acked            sends whose callback reported success (for acks=0: handed to the socket)
     * @param failed           sends whose callback reported an error
     * @param readRecords      records the read-back returned, duplicates included
     * @param readUnique       distinct sequences the read-back found
     * @param lost             acknowledged but not found: the figure that must be 0 for a durable setting
     * @param duplicates       sightings of a sequence beyond its first, at distinct offsets
     * @param presentNotAcked  found but never acknowledged (failed, timed out or in flight at a crash): allowed
     * @param failedButPresent reported failed, yet written: an indeterminate outcome the client could not know
     * @param foreign          records of other writers in the topic
     * @param lostExamples     the first few lost sequence numbers
     */
    public record Loss(long acked, long failed, long readRecords, long readUnique, long lost, long duplicates,
                       long presentNotAcked, long failedButPresent, long foreign, List<Long> lostExamples) {
        public Loss {
            lostExamples = List.copyOf(lostExamples);
        }
    }
}
