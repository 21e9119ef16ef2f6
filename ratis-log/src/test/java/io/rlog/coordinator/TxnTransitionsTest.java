package io.rlog.coordinator;

import io.rlog.broker.ErrorCodes;
import io.rlog.coordinator.TxnTransitions.Decision;
import io.rlog.proto.TopicPartitionRef;
import io.rlog.proto.TxnRecord;
import io.rlog.proto.TxnState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's decisions on one transactional id's record, without Raft (TransactionsTest runs them on it). */
class TxnTransitionsTest {

    private static final TopicPartitionRef A0 = ref("a", 0);
    private static final TopicPartitionRef B1 = ref("b", 1);

    @Test
    void aTransactionGoesFromEmptyThroughOngoingAndPrepareToComplete() {
        TxnRecord rec = TxnTransitions.created("t", 7, 60_000, 1_000);
        assertEquals(TxnState.TXN_EMPTY, rec.getState());
        assertEquals(0, rec.getProducerEpoch());

        Decision add = TxnTransitions.addPartitions(rec, List.of(A0), 2_000);
        assertEquals(ErrorCodes.NONE, add.error());
        TxnRecord ongoing = add.next();
        assertEquals(TxnState.TXN_ONGOING, ongoing.getState());
        assertEquals(2_000, ongoing.getStartTimeMs());
        assertEquals(1, ongoing.getTransactionNumber(), "the first transaction of the id");

        // Adding a partition already in the transaction writes nothing; a new one keeps the start time.
        assertNull(TxnTransitions.addPartitions(ongoing, List.of(A0), 3_000).next());
        TxnRecord two = TxnTransitions.addPartitions(ongoing, List.of(B1), 3_000).next();
        assertEquals(List.of(A0, B1), two.getPartitionsList());
        assertEquals(2_000, two.getStartTimeMs());
        assertEquals(1, two.getTransactionNumber(), "the same transaction");

        Decision end = TxnTransitions.end(two, true, 4_000);
        assertEquals(TxnState.TXN_PREPARE_COMMIT, end.next().getState());
        assertEquals(List.of(A0, B1), end.next().getPartitionsList(), "the markers go to every partition");
        TxnRecord done = TxnTransitions.completed(end.next(), 5_000);
        assertEquals(TxnState.TXN_COMPLETE_COMMIT, done.getState());
        assertTrue(done.getPartitionsList().isEmpty());

        // A retried EndTxn of the same outcome succeeds without a write; the other outcome is refused.
        assertEquals(new Decision(ErrorCodes.NONE, null), TxnTransitions.end(done, true, 6_000));
        assertEquals(ErrorCodes.INVALID_TXN_STATE, TxnTransitions.end(done, false, 6_000).error());
        // A new transaction starts afresh from a completed one.
        TxnRecord again = TxnTransitions.addPartitions(done, List.of(B1), 7_000).next();
        assertEquals(List.of(B1), again.getPartitionsList());
        assertEquals(7_000, again.getStartTimeMs());
        assertEquals(2, again.getTransactionNumber(), "the next transaction: late markers of the first are told apart");
    }

    @Test
    void whilePreparingOnlyTheSameOutcomeIsCompletedAgain() {
        TxnRecord prepare = TxnTransitions.end(ongoing(), false, 1).next();
        assertSame(prepare, TxnTransitions.end(prepare, false, 2).next(), "complete the same record again");
        assertEquals(ErrorCodes.CONCURRENT_TRANSACTIONS, TxnTransitions.end(prepare, true, 2).error());
        assertEquals(ErrorCodes.CONCURRENT_TRANSACTIONS, TxnTransitions.addPartitions(prepare, List.of(B1), 2).error());
        assertTrue(TxnTransitions.preparing(prepare.getState()));
    }

    @Test
    void endingATransactionThatNeverStartedIsRefused() {
        TxnRecord empty = TxnTransitions.created("t", 7, 60_000, 0);
        assertEquals(ErrorCodes.INVALID_TXN_STATE, TxnTransitions.end(empty, true, 1).error());
    }

    @Test
    void requestsOfAnotherProducerIdOrEpochAreRefused() {
        TxnRecord rec = ongoing();
        assertEquals(ErrorCodes.NONE, TxnTransitions.checkProducer(rec, 7, (short) 3));
        assertEquals(ErrorCodes.PRODUCER_FENCED, TxnTransitions.checkProducer(rec, 7, (short) 2));
        assertEquals(ErrorCodes.PRODUCER_FENCED, TxnTransitions.checkProducer(rec, 7, (short) 4));
        assertEquals(ErrorCodes.INVALID_PRODUCER_ID_MAPPING, TxnTransitions.checkProducer(rec, 8, (short) 3));
        assertEquals(ErrorCodes.INVALID_PRODUCER_ID_MAPPING, TxnTransitions.checkProducer(null, 7, (short) 3));
    }

    @Test
    void anAbandonedTransactionIsAbortedWithANewEpochThatFencesItsProducer() {
        TxnRecord rec = ongoing();
        assertFalse(TxnTransitions.timedOut(rec, rec.getStartTimeMs() + rec.getTimeoutMs()));
        assertTrue(TxnTransitions.timedOut(rec, rec.getStartTimeMs() + rec.getTimeoutMs() + 1));
        TxnRecord abort = TxnTransitions.abortBumped(rec, 9);
        assertEquals(TxnState.TXN_PREPARE_ABORT, abort.getState());
        assertEquals(4, abort.getProducerEpoch());
        assertEquals(ErrorCodes.PRODUCER_FENCED, TxnTransitions.checkProducer(abort, 7, (short) 3));
        assertFalse(TxnTransitions.timedOut(TxnTransitions.completed(abort, 10), Long.MAX_VALUE));
    }

    @Test
    void initBumpsTheEpochUntilItIsUsedUp() {
        TxnRecord done = TxnTransitions.completed(TxnTransitions.end(ongoing(), true, 1).next(), 2);
        TxnRecord bumped = TxnTransitions.bumped(done, 30_000, 3);
        assertEquals(4, bumped.getProducerEpoch());
        assertEquals(7, bumped.getProducerId());
        assertEquals(30_000, bumped.getTimeoutMs());
        assertEquals(TxnState.TXN_EMPTY, bumped.getState());
        TxnRecord last = done.toBuilder().setProducerEpoch(TxnTransitions.EPOCH_MAX).build();
        assertNull(TxnTransitions.bumped(last, 30_000, 3), "a new producer id is needed");
    }

    private static TxnRecord ongoing() {
        return TxnRecord.newBuilder().setTransactionalId("t").setProducerId(7).setProducerEpoch(3).setTimeoutMs(1_000)
                .setState(TxnState.TXN_ONGOING).addPartitions(A0).setStartTimeMs(100).build();
    }

    private static TopicPartitionRef ref(String topic, int partition) {
        return TopicPartitionRef.newBuilder().setTopic(topic).setPartition(partition).build();
    }
}
