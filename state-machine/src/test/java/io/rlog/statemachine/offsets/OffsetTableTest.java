package io.rlog.statemachine.offsets;

import io.rlog.proto.CommitOffsets;
import io.rlog.proto.CommittedOffset;
import io.rlog.proto.DeleteGroup;
import io.rlog.proto.DeleteOffsets;
import io.rlog.proto.GroupRecord;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.StoreGroup;
import io.rlog.proto.StoreTxn;
import io.rlog.proto.TopicPartitionRef;
import io.rlog.proto.TxnOffsets;
import io.rlog.proto.TxnRecord;
import io.rlog.proto.TxnState;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The offsets table against an in-memory "store": what apply writes is exactly what a reload reads back. */
class OffsetTableTest {

    /** A sorted key-value map standing in for RocksDB (hex keys sort like the bytes). */
    final TreeMap<String, byte[]> store = new TreeMap<>();
    final OffsetTable table = new OffsetTable();

    void apply(OffsetsCommand cmd) {
        install(table.plan(cmd));
    }

    void install(OffsetTable.Change c) {
        assertEquals(null, c.error());
        c.puts().forEach(kv -> store.put(HexFormat.of().formatHex(kv[0]), kv[1]));
        c.deletes().forEach(k -> store.remove(HexFormat.of().formatHex(k)));
        table.install(c);
    }

    OffsetTable reloaded() {
        OffsetTable t = new OffsetTable();
        t.load((prefix, visitor) -> store.forEach((k, v) -> {
            byte[] key = HexFormat.of().parseHex(k);
            if (key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
                visitor.accept(key, v);
            }
        }));
        return t;
    }

    static OffsetsCommand commit(String group, String topic, int partition, long offset) {
        return OffsetsCommand.newBuilder().setCommit(CommitOffsets.newBuilder().setGroup(group).addOffsets(
                CommittedOffset.newBuilder().setTopic(topic).setPartition(partition).setOffset(offset)
                        .setLeaderEpoch(3).setMetadata("meta").setCommitTimeMs(99))).build();
    }

    @Test
    void commitsDeletesAndGroupRecordsSurviveAReload() {
        apply(commit("g", "t", 0, 10));
        apply(commit("g", "t", 1, 20));
        apply(commit("g", "t", 0, 5)); // an explicit move back (a reset) is stored as asked
        apply(commit("g2", "t", 0, 1));
        apply(OffsetsCommand.newBuilder().setStoreGroup(StoreGroup.newBuilder().setGroup(GroupRecord.newBuilder()
                .setGroup("g").setProtocolType("consumer").setGeneration(4))).build());
        // A late record of an older generation does not roll the group back.
        apply(OffsetsCommand.newBuilder().setStoreGroup(StoreGroup.newBuilder().setGroup(GroupRecord.newBuilder()
                .setGroup("g").setProtocolType("consumer").setGeneration(2))).build());
        apply(OffsetsCommand.newBuilder().setDeleteOffsets(DeleteOffsets.newBuilder().setGroup("g")
                .addPartitions(TopicPartitionRef.newBuilder().setTopic("t").setPartition(1))).build());
        for (OffsetReader t : new OffsetReader[] {table, reloaded()}) {
            Map<TopicPartition, CommittedOffset> g = t.committed("g");
            assertEquals(1, g.size());
            CommittedOffset o = g.get(new TopicPartition("t", 0));
            assertNotNull(o);
            assertEquals(5, o.getOffset());
            assertEquals(3, o.getLeaderEpoch());
            assertEquals("meta", o.getMetadata());
            assertEquals(99, o.getCommitTimeMs());
            assertEquals(4, t.groupRecord("g").orElseThrow().getGeneration());
            assertEquals(java.util.Set.of("g", "g2"), t.groups());
        }
        apply(OffsetsCommand.newBuilder().setDeleteGroup(DeleteGroup.newBuilder().setGroup("g")).build());
        assertTrue(table.committed("g").isEmpty());
        assertTrue(table.groupRecord("g").isEmpty());
        assertEquals(java.util.Set.of("g2"), reloaded().groups());
        assertEquals(1, store.size(), "only g2's offset is left in the store");
    }

    @Test
    void aGroupIsAPrefixOfItsKeysOnly() {
        // "g" and "g2" share a textual prefix; the length prefix keeps their keys apart.
        apply(commit("g", "t", 0, 1));
        apply(commit("g2", "t", 0, 2));
        apply(OffsetsCommand.newBuilder().setDeleteGroup(DeleteGroup.newBuilder().setGroup("g")).build());
        assertEquals(2, reloaded().committed("g2").get(new TopicPartition("t", 0)).getOffset());
    }

    @Test
    void malformedCommandsAreRefusedWithoutChange() {
        assertNotNull(table.plan(commit("", "t", 0, 1)).error());
        assertNotNull(table.plan(commit("g", "t", 0, -1)).error());
        assertNotNull(table.plan(OffsetsCommand.getDefaultInstance()).error());
        assertTrue(table.groups().isEmpty());
    }

    static OffsetsCommand txnCommit(long producerId, String group, String topic, int partition, long offset) {
        return OffsetsCommand.newBuilder().setTxnOffsets(TxnOffsets.newBuilder().setGroup(group)
                .setProducerId(producerId).setProducerEpoch(2).addOffsets(CommittedOffset.newBuilder().setTopic(topic)
                        .setPartition(partition).setOffset(offset).setLeaderEpoch(-1).setCommitTimeMs(7))).build();
    }

    static final TopicPartition T0 = new TopicPartition("t", 0);
    static final TopicPartition T1 = new TopicPartition("t", 1);

    /** TxnOffsetCommit's offsets are pending until the marker; a commit marker makes them the group's offsets. */
    @Test
    void pendingOffsetsBecomeCommittedOnACommitMarker() {
        apply(commit("g", "t", 0, 3));
        apply(txnCommit(5, "g", "t", 0, 10));
        apply(txnCommit(5, "g", "t", 1, 11));
        apply(txnCommit(5, "g", "t", 0, 12)); // the same producer again: replaces its pending offset for t-0
        apply(txnCommit(6, "h", "t", 0, 40)); // another producer's transaction, untouched by 5's marker
        for (OffsetReader t : new OffsetReader[] {table, reloaded()}) {
            assertEquals(3, t.committed("g").get(T0).getOffset(), "pending offsets are not committed yet");
            assertEquals(null, t.committed("g").get(T1));
            assertTrue(t.hasPendingTxnOffsets("g", T0));
            assertTrue(t.hasPendingTxnOffsets("g", T1));
            assertTrue(t.hasPendingTxnOffsets("h", T0));
            assertFalse(t.hasPendingTxnOffsets("g", new TopicPartition("t", 2)));
            assertFalse(t.hasPendingTxnOffsets("h", T1));
        }
        install(table.planMarker(5, true));
        for (OffsetReader t : new OffsetReader[] {table, reloaded()}) {
            assertEquals(12, t.committed("g").get(T0).getOffset());
            assertEquals(11, t.committed("g").get(T1).getOffset());
            assertFalse(t.hasPendingTxnOffsets("g", T0));
            assertFalse(t.hasPendingTxnOffsets("g", T1));
            assertTrue(t.hasPendingTxnOffsets("h", T0));
            assertTrue(t.committed("h").isEmpty());
        }
        // A second marker for the same producer finds nothing pending and changes nothing.
        OffsetTable.Change again = table.planMarker(5, true);
        assertTrue(again.puts().isEmpty() && again.deletes().isEmpty() && again.groups().isEmpty());
    }

    @Test
    void pendingOffsetsAreDroppedOnAnAbortMarker() {
        apply(commit("g", "t", 0, 3));
        apply(txnCommit(5, "g", "t", 0, 10));
        install(table.planMarker(5, false));
        for (OffsetReader t : new OffsetReader[] {table, reloaded()}) {
            assertEquals(3, t.committed("g").get(T0).getOffset());
            assertFalse(t.hasPendingTxnOffsets("g", T0));
        }
        assertEquals(1, store.size(), "only the plain commit is left in the store");
        // A marker for a producer with nothing pending (every data partition's case) is an empty change.
        OffsetTable.Change none = table.planMarker(99, true);
        assertEquals(null, none.error());
        assertTrue(none.puts().isEmpty() && none.deletes().isEmpty());
    }

    @Test
    void transactionRecordsAreStoredWholeAndSurviveAReload() {
        TxnRecord ongoing = TxnRecord.newBuilder().setTransactionalId("tx-1").setProducerId(5).setProducerEpoch(2)
                .setTimeoutMs(60_000).setState(TxnState.TXN_ONGOING).addPartitions(TopicPartitionRef.newBuilder()
                        .setTopic("t").setPartition(0)).setStartTimeMs(100).setUpdateTimeMs(101).build();
        TxnRecord other = TxnRecord.newBuilder().setTransactionalId("tx-2").setProducerId(6)
                .setState(TxnState.TXN_EMPTY).build();
        apply(storeTxn(ongoing));
        apply(storeTxn(other));
        TxnRecord complete = ongoing.toBuilder().setState(TxnState.TXN_COMPLETE_COMMIT).clearPartitions()
                .setUpdateTimeMs(200).build();
        apply(storeTxn(complete)); // replaces the whole record
        for (OffsetReader t : new OffsetReader[] {table, reloaded()}) {
            assertEquals(complete, t.transaction("tx-1").orElseThrow());
            assertEquals(other, t.transaction("tx-2").orElseThrow());
            assertTrue(t.transaction("tx-3").isEmpty());
            assertEquals(Map.of("tx-1", complete, "tx-2", other), t.transactions());
            assertTrue(t.groups().isEmpty(), "transaction records are not groups");
        }
        assertNotNull(table.plan(storeTxn(TxnRecord.newBuilder().setTransactionalId("").build())).error());
        assertNotNull(table.plan(storeTxn(TxnRecord.newBuilder().setTransactionalId("x".repeat(40_000)).build())).error());
        assertNotNull(table.plan(txnCommit(-1, "g", "t", 0, 1)).error());
        assertNotNull(table.plan(txnCommit(5, "", "t", 0, 1)).error());
        assertNotNull(table.plan(txnCommit(5, "g", "t", 0, -1)).error());
    }

    static OffsetsCommand storeTxn(TxnRecord r) {
        return OffsetsCommand.newBuilder().setStoreTxn(StoreTxn.newBuilder().setTxn(r)).build();
    }
}
