package io.rlog.statemachine.partition;

import io.rlog.proto.AbortedTxnRecord;
import io.rlog.proto.ProducerEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kafka's transaction rules (KIP-98) on one partition's log: opening, markers, the last stable offset, fencing. */
class PartitionLogTransactionsTest {

    private final PartitionLog log = new PartitionLog();

    private PartitionLog.Appended append(BatchHeader... batches) {
        return assertInstanceOf(PartitionLog.Appended.class, log.append(List.of(batches), 10));
    }

    private PartitionLog.Marked marker(long pid, int epoch, boolean commit) {
        return assertInstanceOf(PartitionLog.Marked.class, log.endTransaction(pid, epoch, commit, 3, 50, 0));
    }

    @Test
    void aTransactionalBatchOpensATransactionAtItsOffsetAndTheLsoStaysThereUntilTheCommitMarker() {
        append(TestBatches.header(-1, (short) -1, -1, 4));                   // 0..3, no producer
        assertEquals(4, log.lastStableOffset(), "nothing open: the log end");
        append(TestBatches.txnHeader(7, (short) 0, 0, 2));                   // 4..5 opens pid 7's transaction
        assertEquals(4, log.producers().get(7).getTxnFirstOffset());
        append(TestBatches.header(-1, (short) -1, -1, 3));                   // 6..8
        append(TestBatches.txnHeader(7, (short) 0, 2, 1));                   // 9, same transaction
        assertEquals(4, log.producers().get(7).getTxnFirstOffset(), "a later batch does not move its start");
        assertEquals(4, log.lastStableOffset());
        assertEquals(10, log.logEndOffset());

        PartitionLog.Marked m = marker(7, 0, true);
        assertEquals(10, m.baseOffset(), "one control batch at the log end");
        assertEquals(10, m.placement().baseOffset());
        assertTrue(m.placement().header().control());
        assertEquals(ControlBatch.SIZE_BYTES, m.controlBatch().remaining());
        assertNull(m.aborted(), "a commit records no aborted range");
        assertFalse(m.producer().hasTxnFirstOffset());
        assertEquals(11, log.logEndOffset());
        assertEquals(11, log.lastStableOffset());
        // The producer's marks survive the marker: a retry of its last batch is still a duplicate.
        assertInstanceOf(PartitionLog.Duplicated.class, log.append(List.of(TestBatches.txnHeader(7, (short) 0, 2, 1)), 10));
    }

    @Test
    void anAbortMarkerRecordsTheAbortedRangeAndTheLsoFollowsTheOldestOpenTransaction() {
        append(TestBatches.txnHeader(7, (short) 0, 0, 2));                   // 0..1 opens 7
        append(TestBatches.txnHeader(8, (short) 0, 0, 3));                   // 2..4 opens 8
        assertEquals(0, log.lastStableOffset());
        PartitionLog.Marked abort = marker(7, 0, false);
        assertEquals(5, abort.baseOffset());
        assertEquals(AbortedTxnRecord.newBuilder().setProducerId(7).setFirstOffset(0).setLastOffset(5).build(),
                abort.aborted());
        assertEquals(2, log.lastStableOffset(), "8's transaction is still open");
        PartitionLog.Marked commit = marker(8, 0, true);
        assertEquals(6, commit.baseOffset());
        assertEquals(7, log.lastStableOffset());
        assertEquals(7, log.logEndOffset());
    }

    @Test
    void aLateCopyOfAnEarlierTransactionsMarkerDoesNotEndTheNextTransactionOfTheSameEpoch() {
        append(TestBatches.txnHeader(7, (short) 0, 0, 2));                   // 0..1: transaction 1
        assertInstanceOf(PartitionLog.Marked.class, log.endTransaction(7, 0, true, 3, 50, 1));   // 2
        assertEquals(1, log.producers().get(7).getLastMarkerTransaction());
        append(TestBatches.txnHeader(7, (short) 0, 2, 2));                   // 3..4: transaction 2, same epoch
        assertEquals(3, log.lastStableOffset());
        // Transaction 1's marker again (a retried write, or a deposed coordinator's): it must not end transaction 2.
        PartitionLog.MarkerOutcome late = log.endTransaction(7, 0, true, 3, 60, 1);
        assertEquals(new PartitionLog.Late(7, 1), late);
        assertEquals(3, log.lastStableOffset(), "transaction 2 is still open");
        assertEquals(5, log.logEndOffset(), "no control batch");
        PartitionLog.Marked second = assertInstanceOf(PartitionLog.Marked.class,
                log.endTransaction(7, 0, false, 3, 70, 2));
        assertEquals(5, second.baseOffset());
        assertEquals(6, log.lastStableOffset());
        assertEquals(2, log.producers().get(7).getLastMarkerTransaction());
        // The number outlives a new epoch: a late marker stays late after the producer's epoch moved on.
        append(TestBatches.txnHeader(7, (short) 1, 0, 1));                   // 6: epoch 1, transaction 3
        assertEquals(2, log.producers().get(7).getLastMarkerTransaction());
        assertInstanceOf(PartitionLog.Late.class, log.endTransaction(7, 1, true, 3, 80, 2));
        assertEquals(6, log.lastStableOffset());
    }

    @Test
    void aMarkerOfAnOlderEpochIsRefusedAndChangesNothing() {
        append(TestBatches.txnHeader(7, (short) 2, 0, 2));
        ProducerEntry before = log.producers().get(7);
        PartitionLog.Rejected r = assertInstanceOf(PartitionLog.Rejected.class,
                log.endTransaction(7, 1, true, 3, 50, 0));
        assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH, r.errorCode());
        assertEquals(before, log.producers().get(7));
        assertEquals(2, log.logEndOffset());
        assertEquals(0, log.lastStableOffset());
    }

    @Test
    void aMarkerOfANewerEpochEndsTheTransactionAndFencesTheOlderEpoch() {
        append(TestBatches.txnHeader(7, (short) 0, 0, 2));
        PartitionLog.Marked m = marker(7, 1, false);                         // InitProducerId aborted it with epoch 1
        assertEquals(2, m.baseOffset());
        assertEquals(1, m.producer().getEpoch());
        assertEquals(0, m.producer().getBatchesCount(), "a newer epoch clears the marks");
        PartitionLog.Rejected late = assertInstanceOf(PartitionLog.Rejected.class,
                log.append(List.of(TestBatches.txnHeader(7, (short) 0, 2, 1)), 10));
        assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH, late.errorCode());
        append(TestBatches.txnHeader(7, (short) 1, 0, 1));                   // the new epoch starts at 0
    }

    /**
     * The hanging transaction Kafka's TV1 allows: the coordinator aborts (epoch bump) before the producer's late
     * write of the old epoch reaches this partition. The marker finds nothing open, appends nothing, but records
     * the epoch, so the late write is fenced instead of opening a transaction no marker would ever end.
     */
    @Test
    void aMarkerForAProducerWithoutAnOpenTransactionAppendsNothingButFencesItsOlderEpoch() {
        PartitionLog.Marked m = marker(9, 4, false);
        assertEquals(-1, m.baseOffset());
        assertNull(m.placement());
        assertNull(m.controlBatch());
        assertNull(m.aborted());
        assertEquals(ProducerEntry.newBuilder().setEpoch(4).build(), m.producer());
        assertEquals(0, log.logEndOffset());
        PartitionLog.Rejected late = assertInstanceOf(PartitionLog.Rejected.class,
                log.append(List.of(TestBatches.txnHeader(9, (short) 3, 0, 1)), 10));
        assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH, late.errorCode());
        assertEquals(0, log.logEndOffset());
        assertEquals(0, log.lastStableOffset(), "no transaction was opened");
        // A second marker of the same epoch for a producer with nothing open is answered the same way.
        assertEquals(-1, marker(9, 4, true).baseOffset());
        // Known only from markers, the producer has written nothing here: its epoch's first batch starts at 0.
        assertEquals(ProducerStateTable.OUT_OF_ORDER_SEQUENCE_NUMBER, assertInstanceOf(PartitionLog.Rejected.class,
                log.append(List.of(TestBatches.txnHeader(9, (short) 4, 3, 1)), 10)).errorCode());
        append(TestBatches.txnHeader(9, (short) 4, 0, 1));
        marker(9, 4, false);
        // The producer's next epoch writes as usual.
        append(TestBatches.txnHeader(9, (short) 5, 0, 1));
        assertEquals(2, log.lastStableOffset());
    }

    @Test
    void aPlainBatchOfAProducerWithAnOpenTransactionIsRefusedWithInvalidTxnState() {
        append(TestBatches.txnHeader(7, (short) 0, 0, 2));
        ProducerEntry before = log.producers().get(7);
        PartitionLog.Rejected r = assertInstanceOf(PartitionLog.Rejected.class,
                log.append(List.of(TestBatches.header(7, (short) 0, 2, 1)), 10));
        assertEquals(PartitionLog.INVALID_TXN_STATE, r.errorCode());
        assertEquals(before, log.producers().get(7));
        assertEquals(2, log.logEndOffset());
        // Within one request too: the transactional batch it follows is rolled back with it.
        PartitionLog.Rejected both = assertInstanceOf(PartitionLog.Rejected.class, log.append(List.of(
                TestBatches.txnHeader(8, (short) 0, 0, 1), TestBatches.header(8, (short) 0, 1, 1)), 10));
        assertEquals(PartitionLog.INVALID_TXN_STATE, both.errorCode());
        assertNull(log.producers().get(8));
        assertEquals(0, log.lastStableOffset());
        // After the marker, plain idempotent writes are accepted again.
        marker(7, 0, true);
        append(TestBatches.header(7, (short) 0, 2, 1));
    }

    @Test
    void controlBatchesFromProducersAndTransactionalBatchesWithoutAProducerAreRefused() throws Exception {
        BatchHeader control = BatchHeader.parseAll(ControlBatch.build(7, (short) 0, true, 0, 1)).get(0);
        PartitionLog.Rejected r = assertInstanceOf(PartitionLog.Rejected.class, log.append(List.of(control), 10));
        assertEquals(PartitionLog.INVALID_RECORD, r.errorCode());
        PartitionLog.Rejected noPid = assertInstanceOf(PartitionLog.Rejected.class,
                log.append(List.of(TestBatches.txnHeader(-1, (short) -1, -1, 1)), 10));
        assertEquals(PartitionLog.INVALID_RECORD, noPid.errorCode());
        assertEquals(0, log.logEndOffset());
        assertNull(log.producers().get(7));
    }

    @Test
    void theOpenTransactionSurvivesAnEpochBumpWithinIt() {
        append(TestBatches.txnHeader(7, (short) 0, 0, 2));
        append(TestBatches.txnHeader(7, (short) 1, 0, 1));
        assertEquals(0, log.producers().get(7).getTxnFirstOffset());
        assertEquals(1, log.producers().get(7).getEpoch());
        assertEquals(0, log.lastStableOffset());
    }

    @Test
    void aCopyCarriesOpenTransactionsAndDecidesMarkersAsTheOriginal() {
        append(TestBatches.txnHeader(7, (short) 0, 0, 2));
        append(TestBatches.txnHeader(8, (short) 0, 0, 1));
        marker(9, 1, true);
        PartitionLog copy = log.copy();
        assertEquals(0, copy.lastStableOffset());
        assertEquals(log.producers().view(), copy.producers().view());
        PartitionLog.Marked a = marker(7, 0, false);
        PartitionLog.Marked b = assertInstanceOf(PartitionLog.Marked.class, copy.endTransaction(7, 0, false, 3, 50, 0));
        assertEquals(a.baseOffset(), b.baseOffset());
        assertEquals(a.aborted(), b.aborted());
        assertEquals(a.controlBatch(), b.controlBatch());
        assertEquals(2, copy.lastStableOffset());
        assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH, assertInstanceOf(PartitionLog.Rejected.class,
                copy.append(List.of(TestBatches.txnHeader(9, (short) 0, 0, 1)), 10)).errorCode());
    }

    @Test
    void restoreRebuildsTheOpenTransactionsFromTheEntries() {
        append(TestBatches.txnHeader(7, (short) 0, 0, 2));
        append(TestBatches.txnHeader(8, (short) 0, 0, 1));
        PartitionLog restored = new PartitionLog();
        restored.restore(0, log.logEndOffset(), log.maxTimestamp(), log.maxTimestampOffset(), log.producers().view());
        assertEquals(0, restored.lastStableOffset());
        restored.endTransaction(7, 0, true, 0, 1, 0);
        assertEquals(2, restored.lastStableOffset());
    }
}
