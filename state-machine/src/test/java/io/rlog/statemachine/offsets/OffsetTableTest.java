package io.rlog.statemachine.offsets;

import io.rlog.proto.CommitOffsets;
import io.rlog.proto.CommittedOffset;
import io.rlog.proto.DeleteGroup;
import io.rlog.proto.DeleteOffsets;
import io.rlog.proto.GroupRecord;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.StoreGroup;
import io.rlog.proto.TopicPartitionRef;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The offsets table against an in-memory "store": what apply writes is exactly what a reload reads back. */
class OffsetTableTest {

    /** A sorted key-value map standing in for RocksDB (hex keys sort like the bytes). */
    final TreeMap<String, byte[]> store = new TreeMap<>();
    final OffsetTable table = new OffsetTable();

    void apply(OffsetsCommand cmd) {
        OffsetTable.Change c = table.plan(cmd);
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
}
