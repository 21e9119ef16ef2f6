package io.rlog.coordinator;

import io.rlog.broker.ErrorCodes;
import io.rlog.proto.TopicPartitionRef;
import io.rlog.proto.TxnRecord;
import io.rlog.proto.TxnState;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The transaction coordinator's decisions about one transactional id (Kafka's TV1 state machine: Empty, Ongoing,
 * PrepareCommit/PrepareAbort, CompleteCommit/CompleteAbort), as pure functions of its stored record: no I/O, no
 * clock (the time comes in). The service writes the record a decision returns before it acts on it, so a new
 * coordinator resumes from any record it finds: a Prepare state is completed by writing its markers again.
 */
final class TxnTransitions {

    private TxnTransitions() {}

    /** {@code next} is the record to write (null: nothing to write), {@code error} the answer when non-zero. */
    record Decision(short error, TxnRecord next) {
        static Decision fail(short error) {
            return new Decision(error, null);
        }
    }

    /** The largest epoch a producer id is given; the next bump takes a new producer id (as Kafka does). */
    static final short EPOCH_MAX = Short.MAX_VALUE - 1;

    static boolean preparing(TxnState s) {
        return s == TxnState.TXN_PREPARE_COMMIT || s == TxnState.TXN_PREPARE_ABORT;
    }

    /** The producer of a request must be the record's current one. */
    static short checkProducer(TxnRecord rec, long producerId, short epoch) {
        if (rec == null || rec.getProducerId() != producerId) {
            return ErrorCodes.INVALID_PRODUCER_ID_MAPPING;
        }
        return rec.getProducerEpoch() != epoch ? ErrorCodes.PRODUCER_FENCED : ErrorCodes.NONE;
    }

    /** A fresh record for a transactional id that has none, with a newly allocated producer id. */
    static TxnRecord created(String transactionalId, long producerId, int timeoutMs, long nowMs) {
        return TxnRecord.newBuilder().setTransactionalId(transactionalId).setProducerId(producerId).setProducerEpoch(0)
                .setTimeoutMs(timeoutMs).setState(TxnState.TXN_EMPTY).setUpdateTimeMs(nowMs).build();
    }

    /**
     * InitProducerId on a record with no open transaction: the next epoch, or null when the epoch is used up and a
     * new producer id must be allocated ({@link #created} then).
     */
    static TxnRecord bumped(TxnRecord rec, int timeoutMs, long nowMs) {
        if (rec.getProducerEpoch() >= EPOCH_MAX) {
            return null;
        }
        return rec.toBuilder().setProducerEpoch(rec.getProducerEpoch() + 1).setTimeoutMs(timeoutMs)
                .setState(TxnState.TXN_EMPTY).clearPartitions().setStartTimeMs(0).setUpdateTimeMs(nowMs).build();
    }

    /** AddPartitionsToTxn / AddOffsetsToTxn, once the producer is checked and the partitions exist. */
    static Decision addPartitions(TxnRecord rec, Collection<TopicPartitionRef> partitions, long nowMs) {
        if (preparing(rec.getState())) {
            return Decision.fail(ErrorCodes.CONCURRENT_TRANSACTIONS);
        }
        boolean ongoing = rec.getState() == TxnState.TXN_ONGOING;
        Set<TopicPartitionRef> all = new LinkedHashSet<>(ongoing ? rec.getPartitionsList() : java.util.List.of());
        int before = all.size();
        all.addAll(partitions);
        if (ongoing && all.size() == before) {
            return new Decision(ErrorCodes.NONE, null);
        }
        // A transaction that begins takes the next number; its markers carry it (see TxnMarker).
        return new Decision(ErrorCodes.NONE, rec.toBuilder().setState(TxnState.TXN_ONGOING).clearPartitions()
                .addAllPartitions(all).setStartTimeMs(ongoing ? rec.getStartTimeMs() : nowMs).setUpdateTimeMs(nowMs)
                .setTransactionNumber(ongoing ? rec.getTransactionNumber() : rec.getTransactionNumber() + 1)
                .build());
    }

    /**
     * EndTxn, once the producer is checked. {@code next} is the Prepare record to write when the transaction was
     * open; a record already preparing the same outcome has {@code next} equal to itself (complete it again).
     */
    static Decision end(TxnRecord rec, boolean commit, long nowMs) {
        TxnState prepare = commit ? TxnState.TXN_PREPARE_COMMIT : TxnState.TXN_PREPARE_ABORT;
        TxnState complete = commit ? TxnState.TXN_COMPLETE_COMMIT : TxnState.TXN_COMPLETE_ABORT;
        TxnState s = rec.getState();
        if (s == TxnState.TXN_ONGOING) {
            return new Decision(ErrorCodes.NONE, rec.toBuilder().setState(prepare).setUpdateTimeMs(nowMs).build());
        }
        if (s == prepare) {
            return new Decision(ErrorCodes.NONE, rec);
        }
        if (s == complete) {
            return new Decision(ErrorCodes.NONE, null); // a retry of an EndTxn that completed
        }
        return Decision.fail(s == TxnState.TXN_PREPARE_COMMIT || s == TxnState.TXN_PREPARE_ABORT
                ? ErrorCodes.CONCURRENT_TRANSACTIONS : ErrorCodes.INVALID_TXN_STATE);
    }

    /**
     * The abort of an open transaction the producer did not end: a new producer with the same transactional id
     * (InitProducerId) or its timeout. The epoch goes up, so the old producer's next write or request is fenced.
     */
    static TxnRecord abortBumped(TxnRecord rec, long nowMs) {
        return rec.toBuilder().setProducerEpoch(Math.min(rec.getProducerEpoch() + 1, Short.MAX_VALUE))
                .setState(TxnState.TXN_PREPARE_ABORT).setUpdateTimeMs(nowMs).build();
    }

    /** The record once every marker of a Prepare record is written. */
    static TxnRecord completed(TxnRecord rec, long nowMs) {
        TxnState done = rec.getState() == TxnState.TXN_PREPARE_COMMIT ? TxnState.TXN_COMPLETE_COMMIT
                : TxnState.TXN_COMPLETE_ABORT;
        return rec.toBuilder().setState(done).clearPartitions().setUpdateTimeMs(nowMs).build();
    }

    /** Whether an open transaction has outlived its timeout at {@code nowMs}. */
    static boolean timedOut(TxnRecord rec, long nowMs) {
        return rec.getState() == TxnState.TXN_ONGOING && nowMs - rec.getStartTimeMs() > rec.getTimeoutMs();
    }
}
