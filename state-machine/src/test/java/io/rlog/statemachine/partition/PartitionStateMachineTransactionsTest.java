package io.rlog.statemachine.partition;

import com.google.protobuf.ByteString;
import io.rlog.proto.AppendBatches;
import io.rlog.proto.AppendReply;
import io.rlog.proto.CommittedOffset;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.PartitionCommand;
import io.rlog.proto.StoreTxn;
import io.rlog.proto.TxnMarker;
import io.rlog.proto.TxnOffsets;
import io.rlog.proto.TxnRecord;
import io.rlog.proto.TxnState;
import io.rlog.statemachine.RatisBytes;
import io.rlog.statemachine.offsets.TopicPartition;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Transactions (KIP-98) on the partition state machine, under real Ratis servers and real RocksDB. */
class PartitionStateMachineTransactionsTest {

    private static final PartitionStateMachine.AbortedTxn ABORTED_7 = new PartitionStateMachine.AbortedTxn(7, 0);
    private static final PartitionStateMachine.AbortedTxn ABORTED_9 = new PartitionStateMachine.AbortedTxn(9, 10);

    /**
     * The log this builds, by offset: 0..1 producer 7's transaction (aborted at 5); 2..4 plain; 6..8 producer 8's
     * (committed at 9); 10 producer 9's (aborted at 11); 12..13 producer 10's, still open; 14..15 plain. So the
     * last stable offset is 12 and the high watermark 16.
     */
    private static void buildLog(RaftClient client, PartitionStateMachine leader) throws Exception {
        assertEquals(0, append(client, TestBatches.txnBatch(7, (short) 0, 0, 2, 1)));
        assertEquals(2, append(client, TestBatches.batch(-1, (short) -1, -1, 3, 2)));
        assertEquals(0, leader.lastStableOffset(), "producer 7's transaction is open");
        assertEquals(5, leader.highWatermark());
        CompletableFuture<Void> woken = leader.nextAppend();
        AppendReply abort = LocalRatis.marker(client, 7, 0, false);
        assertEquals(0, abort.getErrorCode(), abort.getErrorMessage());
        assertEquals(5, abort.getBaseOffset());
        assertTrue(woken.isDone(), "a marker wakes the long poll as an append does");
        assertEquals(6, leader.lastStableOffset());
        assertEquals(6, append(client, TestBatches.txnBatch(8, (short) 0, 0, 3, 3)));
        assertEquals(9, LocalRatis.marker(client, 8, 0, true).getBaseOffset());
        assertEquals(10, append(client, TestBatches.txnBatch(9, (short) 0, 0, 1, 4)));
        assertEquals(11, LocalRatis.marker(client, 9, 0, false).getBaseOffset());
        assertEquals(12, append(client, TestBatches.txnBatch(10, (short) 0, 0, 2, 5)));
        assertEquals(14, append(client, TestBatches.batch(-1, (short) -1, -1, 2, 6)));
    }

    /** What every replica must answer for the log {@link #buildLog} builds, before and after a restart. */
    private static void assertReads(PartitionStateMachine sm) throws Exception {
        assertEquals(16, sm.highWatermark());
        assertEquals(12, sm.lastStableOffset());

        PartitionStateMachine.ReadResult all = sm.read(0, Integer.MAX_VALUE, true);
        assertEquals(0, all.errorCode());
        assertEquals(12, all.lastStableOffset());
        assertEquals(16, all.highWatermark());
        assertEquals(List.of(0L, 2L, 5L, 6L, 9L, 10L, 11L), baseOffsets(all.records()), "batches end at the LSO");
        assertEquals(List.of(ABORTED_7, ABORTED_9), all.abortedTransactions());

        PartitionStateMachine.ReadResult from6 = sm.read(6, Integer.MAX_VALUE, true);
        assertEquals(List.of(6L, 9L, 10L, 11L), baseOffsets(from6.records()));
        assertEquals(List.of(ABORTED_9), from6.abortedTransactions(), "7's ended before offset 6");

        PartitionStateMachine.ReadResult first = sm.read(0, 1, true);
        assertEquals(List.of(0L), baseOffsets(first.records()));
        assertEquals(List.of(ABORTED_7), first.abortedTransactions(), "9's begins after the batches returned");

        PartitionStateMachine.ReadResult inside = sm.read(3, Integer.MAX_VALUE, true);
        assertEquals(List.of(2L, 5L, 6L, 9L, 10L, 11L), baseOffsets(inside.records()));
        assertEquals(List.of(ABORTED_7, ABORTED_9), inside.abortedTransactions(), "7's ends at 5, after offset 3");

        for (long offset : new long[] {12, 14, 16}) {
            PartitionStateMachine.ReadResult none = sm.read(offset, Integer.MAX_VALUE, true);
            assertEquals(0, none.errorCode(), "offset " + offset);
            assertEquals(0, none.records().remaining(), "offset " + offset);
            assertEquals(List.of(), none.abortedTransactions(), "offset " + offset);
            assertEquals(12, none.lastStableOffset());
        }
        assertEquals(1, sm.read(17, Integer.MAX_VALUE, true).errorCode(), "past the high watermark");

        PartitionStateMachine.ReadResult uncommitted = sm.read(0, Integer.MAX_VALUE, false);
        assertEquals(List.of(0L, 2L, 5L, 6L, 9L, 10L, 11L, 12L, 14L), baseOffsets(uncommitted.records()));
        assertEquals(12, uncommitted.lastStableOffset());
        assertEquals(List.of(), uncommitted.abortedTransactions());
        assertEquals(uncommitted.records(), sm.read(0, Integer.MAX_VALUE).records());

        // The control batches are stored like any batch: stamped with their offset, read back as Kafka's.
        ByteBuffer marker = sm.read(5, 1, false).records();
        BatchHeader h = BatchHeader.parseAll(marker).get(0);
        assertTrue(h.control() && h.transactional());
        assertEquals(5, marker.getLong(0));
        assertEquals(7, h.producerId());
    }

    /**
     * read_committed stops at the last stable offset and lists exactly the aborted transactions its batches
     * overlap; every replica stores the same (control batches included); a restarted replica keeps the open
     * transaction, the last stable offset and the aborted list.
     */
    @Test
    void readCommittedStopsAtTheLsoAndListsAbortedTransactionsOnEveryReplicaAcrossARestart(@TempDir Path dir)
            throws Exception {
        try (LocalRatis ratis = new LocalRatis(dir, 3, 10_000)) {
            try (RaftClient client = ratis.client()) {
                LocalRatis.await("a leader", 10_000, () -> leader(ratis) >= 0);
                buildLog(client, ratis.machines[leader(ratis)]);
            }
            LocalRatis.await("every replica applied everything", 10_000,
                    () -> java.util.Arrays.stream(ratis.machines).allMatch(m -> m.highWatermark() == 16));
            int leader = leader(ratis);
            Map<String, byte[]> leaderStore = ratis.machines[leader].dumpStore();
            for (PartitionStateMachine m : ratis.machines) {
                PartitionStateMachineTest.assertStoresEqual(leaderStore, m.dumpStore());
                assertReads(m);
            }

            int follower = (leader + 1) % 3;
            ratis.stop(follower);
            ratis.start(follower);
            LocalRatis.await("restarted replica caught up", 10_000, () -> ratis.machines[follower].highWatermark() == 16);
            assertReads(ratis.machines[follower]);

            try (RaftClient client = ratis.client()) {
                // Producer 10's transaction is still open: its plain write is refused, its commit ends it.
                AppendReply plain = LocalRatis.append(client, TestBatches.batch(10, (short) 0, 2, 1, 7));
                assertEquals(PartitionLog.INVALID_TXN_STATE, (short) plain.getErrorCode());
                assertEquals(16, LocalRatis.marker(client, 10, 0, true).getBaseOffset());
            }
            LocalRatis.await("every replica applied the commit", 10_000,
                    () -> java.util.Arrays.stream(ratis.machines).allMatch(m -> m.lastStableOffset() == 17));
            PartitionStateMachine.ReadResult all = ratis.machines[follower].read(0, Integer.MAX_VALUE, true);
            assertEquals(List.of(0L, 2L, 5L, 6L, 9L, 10L, 11L, 12L, 14L, 16L), baseOffsets(all.records()));
            assertEquals(List.of(ABORTED_7, ABORTED_9), all.abortedTransactions());
        }
    }

    /**
     * The hanging-transaction case end to end: the abort marker (with the bumped epoch) reaches the partition
     * before the producer's late write of the old epoch; the marker appends nothing and the write is fenced.
     * A marker of an older epoch than the producer's is refused. Both survive a restart of the only replica.
     */
    @Test
    void aMarkerFencesALateWriteAndAnOlderMarkerIsRefusedAcrossARestart(@TempDir Path dir) throws Exception {
        try (LocalRatis ratis = new LocalRatis(dir, 1, 4)) {
            try (RaftClient client = ratis.client()) {
                AppendReply nothingOpen = LocalRatis.marker(client, 20, 3, false);
                assertEquals(0, nothingOpen.getErrorCode(), nothingOpen.getErrorMessage());
                assertEquals(-1, nothingOpen.getBaseOffset());
                assertEquals(0, ratis.machines[0].highWatermark());
                for (int i = 0; i < 6; i++) { // enough entries for a snapshot (threshold 4) before the restart
                    append(client, TestBatches.batch(-1, (short) -1, -1, 1, i));
                }
            }
            ratis.stop(0);
            ratis.start(0);
            try (RaftClient client = ratis.client()) {
                AppendReply late = LocalRatis.append(client, TestBatches.txnBatch(20, (short) 2, 0, 1, 1));
                assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH, (short) late.getErrorCode());
                AppendReply older = LocalRatis.marker(client, 20, 2, true);
                assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH, (short) older.getErrorCode());
                assertEquals(6, append(client, TestBatches.txnBatch(20, (short) 3, 0, 1, 1)));
                assertEquals(6, ratis.machines[0].lastStableOffset());
            }
            assertEquals(7, ratis.machines[0].highWatermark());
        }
    }

    /**
     * On a __consumer_offsets partition the marker ends the producer's pending offsets (commit: committed; abort:
     * dropped) in the same write as its producer entry; transaction records are stored; all survive a restart.
     */
    @Test
    void markersEndPendingOffsetsAndTransactionRecordsSurviveARestart(@TempDir Path dir) throws Exception {
        TopicPartition t0 = new TopicPartition("t", 0);
        TxnRecord record = TxnRecord.newBuilder().setTransactionalId("tx").setProducerId(5).setProducerEpoch(1)
                .setTimeoutMs(60_000).setState(TxnState.TXN_PREPARE_COMMIT).build();
        try (LocalRatis ratis = new LocalRatis(dir, 1, 10_000)) {
            PartitionStateMachine sm = ratis.machines[0];
            try (RaftClient client = ratis.client()) {
                assertEquals(0, LocalRatis.send(client, offsets(OffsetsCommand.newBuilder().setStoreTxn(
                        StoreTxn.newBuilder().setTxn(record)).build())).getErrorCode());
                assertEquals(0, LocalRatis.send(client, txnOffsets(5, "g", 10)).getErrorCode());
                assertEquals(0, LocalRatis.send(client, txnOffsets(6, "h", 20)).getErrorCode());
                assertTrue(sm.offsets().hasPendingTxnOffsets("g", t0));
                assertTrue(sm.offsets().committed("g").isEmpty());
                AppendReply commit = LocalRatis.marker(client, 5, 1, true);
                assertEquals(0, commit.getErrorCode(), commit.getErrorMessage());
                assertEquals(-1, commit.getBaseOffset(), "no records of the transaction in this partition's log");
                assertEquals(10, sm.offsets().committed("g").get(t0).getOffset());
                assertFalse(sm.offsets().hasPendingTxnOffsets("g", t0));
                assertEquals(0, LocalRatis.marker(client, 6, 0, false).getErrorCode());
                assertFalse(sm.offsets().hasPendingTxnOffsets("h", t0));
                assertTrue(sm.offsets().committed("h").isEmpty());
                assertEquals(0, LocalRatis.send(client, txnOffsets(6, "h", 30)).getErrorCode());
            }
            ratis.stop(0);
            ratis.start(0);
            LocalRatis.await("the restarted replica applied everything", 10_000,
                    () -> ratis.machines[0].offsets().hasPendingTxnOffsets("h", t0));
            PartitionStateMachine restarted = ratis.machines[0];
            assertEquals(10, restarted.offsets().committed("g").get(t0).getOffset());
            assertTrue(restarted.offsets().committed("h").isEmpty());
            assertEquals(record, restarted.offsets().transaction("tx").orElseThrow());
            assertEquals(Map.of("tx", record), restarted.offsets().transactions());
            try (RaftClient client = ratis.client()) {
                // The marker recorded producer 5's epoch here: an older marker is refused and changes nothing.
                assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH,
                        (short) LocalRatis.marker(client, 5, 0, false).getErrorCode());
            }
        }
    }

    /**
     * A late copy of transaction 1's commit marker (a retried Raft write, or a deposed coordinator's) reaches the
     * offsets partition after transaction 2 of the same producer epoch sent its offsets: it must neither commit them
     * nor end the transaction; transaction 2's own marker does.
     */
    @Test
    void aLateMarkerOfAnEarlierTransactionLeavesTheNextTransactionsOffsetsPending(@TempDir Path dir) throws Exception {
        TopicPartition t0 = new TopicPartition("t", 0);
        try (LocalRatis ratis = new LocalRatis(dir, 1, 10_000)) {
            PartitionStateMachine sm = ratis.machines[0];
            try (RaftClient client = ratis.client()) {
                assertEquals(0, LocalRatis.send(client, txnOffsets(5, "g", 10)).getErrorCode());
                assertEquals(0, LocalRatis.send(client, numberedMarker(5, true, 1)).getErrorCode());
                assertEquals(10, sm.offsets().committed("g").get(t0).getOffset());
                assertEquals(0, LocalRatis.send(client, txnOffsets(5, "g", 20)).getErrorCode());
                AppendReply late = LocalRatis.send(client, numberedMarker(5, true, 1));
                assertEquals(0, late.getErrorCode(), late.getErrorMessage());
                assertEquals(-1, late.getBaseOffset());
                assertTrue(sm.offsets().hasPendingTxnOffsets("g", t0), "transaction 2's offset is still pending");
                assertEquals(10, sm.offsets().committed("g").get(t0).getOffset());
                assertEquals(0, LocalRatis.send(client, numberedMarker(5, true, 2)).getErrorCode());
                assertFalse(sm.offsets().hasPendingTxnOffsets("g", t0));
                assertEquals(20, sm.offsets().committed("g").get(t0).getOffset());
            }
        }
    }

    /**
     * A producer fenced by a newer epoch (its transaction aborted by the coordinator, whose marker recorded the new
     * epoch here) sends its offsets late: they are refused, so the next commit of the producer id cannot commit them.
     */
    @Test
    void aFencedProducersLateOffsetsAreRefused(@TempDir Path dir) throws Exception {
        TopicPartition t0 = new TopicPartition("t", 0);
        try (LocalRatis ratis = new LocalRatis(dir, 1, 10_000)) {
            PartitionStateMachine sm = ratis.machines[0];
            try (RaftClient client = ratis.client()) {
                // txnOffsets sends epoch 1; the coordinator's abort came with epoch 2.
                assertEquals(0, LocalRatis.marker(client, 5, 2, false).getErrorCode());
                AppendReply late = LocalRatis.send(client, txnOffsets(5, "g", 10));
                assertEquals(ProducerStateTable.INVALID_PRODUCER_EPOCH, (short) late.getErrorCode());
                assertFalse(sm.offsets().hasPendingTxnOffsets("g", t0));
                assertEquals(0, LocalRatis.marker(client, 5, 2, true).getErrorCode());
                assertTrue(sm.offsets().committed("g").isEmpty(), "nothing of the fenced producer is committed");
            }
        }
    }

    private static PartitionCommand numberedMarker(long producerId, boolean commit, long transactionNumber) {
        return PartitionCommand.newBuilder().setTxnMarker(TxnMarker.newBuilder().setProducerId(producerId)
                .setProducerEpoch(1).setCommit(commit).setCoordinatorEpoch(1)
                .setTransactionNumber(transactionNumber)).build();
    }

    /**
     * acks=1: the leader's look-ahead decides markers too, so replies on append for entries after a marker carry
     * apply's offsets, and apply never disagrees with it.
     */
    @Test
    void theLookAheadDecidesMarkersAsApplyDoes(@TempDir Path dir) throws Exception {
        try (LocalRatis ratis = new LocalRatis(dir, 1, 10_000)) {
            LocalRatis.await("a ready leader", 10_000, () -> {
                try {
                    return ratis.leaderIndex() == 0 && ratis.division(0).getInfo().isLeaderReady();
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            List<PartitionCommand> commands = List.of(
                    appendCommand(TestBatches.txnBatch(7, (short) 0, 0, 2, 1)),          // 0..1
                    appendCommand(TestBatches.batch(7, (short) 0, 2, 1, 1)),             // refused: 48
                    markerCommand(7, 0, false),                                          // 2
                    appendCommand(TestBatches.batch(-1, (short) -1, -1, 3, 1)),          // 3..5
                    markerCommand(8, 0, true),                                           // nothing open: -1
                    appendCommand(TestBatches.txnBatch(8, (short) 0, 0, 1, 1)),          // 6
                    markerCommand(8, 1, true),                                           // 7
                    markerCommand(8, 0, true),                                           // refused: 47
                    appendCommand(TestBatches.txnBatch(8, (short) 0, 1, 1, 1)),          // refused: 47
                    appendCommand(TestBatches.batch(-1, (short) -1, -1, 1, 1)));         // 8
            long[] expected = {0, -1, 2, 3, -1, 6, 7, -1, -1, 8};
            List<CompletableFuture<Message>> onAppend = new ArrayList<>();
            List<CompletableFuture<RaftClientReply>> raft = new ArrayList<>();
            ClientId clientId = ClientId.randomId();
            for (int i = 0; i < commands.size(); i++) {
                CompletableFuture<Message> reply = new CompletableFuture<>();
                ratis.machines[0].replyOnAppend(clientId, i + 1, reply);
                onAppend.add(reply);
                raft.add(ratis.servers[0].submitClientRequestAsync(RaftClientRequest.newBuilder()
                        .setClientId(clientId).setServerId(ratis.servers[0].getId())
                        .setGroupId(ratis.group.getGroupId()).setCallId(i + 1)
                        .setMessage(Message.valueOf(RatisBytes.of(commands.get(i))))
                        .setType(RaftClientRequest.writeRequestType()).build()));
            }
            for (int i = 0; i < commands.size(); i++) {
                RaftClientReply r = raft.get(i).get(10, TimeUnit.SECONDS);
                assertTrue(r.isSuccess(), () -> "Raft reply: " + r.getException());
                AppendReply applied = AppendReply.parseFrom(RatisBytes.toBuffer(r.getMessage().getContent()));
                assertEquals(expected[i], applied.getBaseOffset(), "entry " + i + ": " + applied.getErrorMessage());
                if (onAppend.get(i).isDone()) {
                    assertEquals(applied, AppendReply.parseFrom(RatisBytes.toBuffer(onAppend.get(i).join().getContent())),
                            "entry " + i);
                }
            }
            assertTrue(onAppend.get(commands.size() - 1).isDone(), "the look-ahead was in step by the end");
            assertEquals(0, ratis.machines[0].projectionMismatches());
            assertEquals(9, ratis.machines[0].lastStableOffset());
        }
    }

    private static PartitionCommand appendCommand(ByteBuffer batch) {
        return PartitionCommand.newBuilder().setAppend(AppendBatches.newBuilder()
                .setBatches(ByteString.copyFrom(batch.duplicate()))).build();
    }

    private static PartitionCommand markerCommand(long producerId, int epoch, boolean commit) {
        return PartitionCommand.newBuilder().setTxnMarker(TxnMarker.newBuilder().setProducerId(producerId)
                .setProducerEpoch(epoch).setCommit(commit).setCoordinatorEpoch(1)).build();
    }

    private static PartitionCommand offsets(OffsetsCommand c) {
        return PartitionCommand.newBuilder().setOffsets(c).build();
    }

    private static PartitionCommand txnOffsets(long producerId, String group, long offset) {
        return offsets(OffsetsCommand.newBuilder().setTxnOffsets(TxnOffsets.newBuilder().setGroup(group)
                .setProducerId(producerId).setProducerEpoch(1).addOffsets(CommittedOffset.newBuilder().setTopic("t")
                        .setPartition(0).setOffset(offset).setLeaderEpoch(-1))).build());
    }

    private static long append(RaftClient client, ByteBuffer batch) throws Exception {
        AppendReply r = LocalRatis.append(client, batch);
        assertEquals(0, r.getErrorCode(), r.getErrorMessage());
        return r.getBaseOffset();
    }

    private static int leader(LocalRatis ratis) {
        try {
            return ratis.leaderIndex();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static List<Long> baseOffsets(ByteBuffer records) throws BatchHeader.MalformedBatchException {
        List<Long> out = new ArrayList<>();
        if (records.remaining() > 0) {
            for (BatchHeader h : BatchHeader.parseAll(records)) {
                out.add(records.getLong(h.position()));
            }
        }
        return out;
    }
}
