package io.rlog.chaos.checker;

/**
 * Jepsen's Kafka anomaly taxonomy (jepsen.tests.kafka), plus the checks this harness adds for replicas, commits
 * and transactions (the last five, judged by {@link TxnChecker}). Each constant documents what it means in a
 * history; {@link #id} is the name reports print.
 */
public enum AnomalyKind {
    /** An acknowledged send (acks=all, or acks=1 without a leader change) is missing from a complete final read. */
    LOST_WRITE("lost-write"),
    /** An acknowledged send is in no read, and the final read of its partition did not complete: unknown. */
    UNSEEN("unseen"),
    /** One value read at two different (partition, offset) positions. */
    DUPLICATE("duplicate"),
    /** Two different values at one (partition, offset) across acknowledgements and reads. */
    INCONSISTENT_OFFSETS("inconsistent-offsets"),
    /** One producer's acknowledged offsets on a partition do not increase in send order. */
    NONMONOTONIC_SEND("nonmonotonic-send"),
    /** A consumer's next poll started past the record after its previous poll (or seek) on a partition. */
    POLL_SKIP("poll-skip"),
    /** A consumer's next poll started at or before the last record of its previous poll on a partition. */
    NONMONOTONIC_POLL("nonmonotonic-poll"),
    /** Within one poll, two consecutive records of a partition are not adjacent in the final log. */
    INT_POLL_SKIP("int-poll-skip"),
    /** Within one poll, a partition's records go backwards (or repeat) in the final log. */
    INT_NONMONOTONIC_POLL("int-nonmonotonic-poll"),
    /** A value read at offset o is not at o in the complete final read. */
    READ_THEN_VANISHED("read-then-vanished"),
    /** A group's committed offset was observed below one that was committed (and not overwritten) before. */
    COMMITTED_OFFSET_REGRESSION("committed-offset-regression"),
    /** A committed offset is beyond the partition's final log end offset. */
    COMMIT_BEYOND_LOG_END("commit-beyond-log-end"),
    /** Two final reads (independent consumers, possibly served by different leaders) disagree. */
    REPLICA_DIVERGENCE("replica-divergence"),
    /** No final read reached the end of a partition: the durability checks of that partition are skipped. */
    INCOMPLETE_FINAL_READ("incomplete-final-read"),
    /** FAIL: a value of a committed transaction (commitTransaction returned) is missing from the read_committed final read. */
    TXN_LOST("txn-lost"),
    /** FAIL: a value of a transaction that did not commit (aborted, or never ended) is in the read_committed final read. */
    ABORTED_READ("aborted-read"),
    /** FAIL: the read_committed final read holds some but not all values of one transaction (any outcome). */
    TXN_PARTIAL("txn-partial"),
    /** FAIL: the read_committed final read holds a value that no operation of the history wrote. */
    PHANTOM_VALUE("phantom-value"),
    /**
     * FAIL: long after healing a partition's last stable offset was still below its log end: a transaction was
     * never ended, neither by its producer's successor nor by the coordinator's timeout.
     */
    HANGING_TRANSACTION("hanging-transaction");

    private final String id;

    AnomalyKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static AnomalyKind byId(String id) {
        for (AnomalyKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown anomaly " + id);
    }
}
