package io.rlog.node;

import io.rlog.statemachine.partition.PartitionStore;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Ratis settings a node derives from its config (unit test of RaftHost.properties alone). */
class RaftPropertiesTest {

    private static RaftProperties properties(Map<String, String> extra) {
        return RaftHost.properties(config(extra));
    }

    private static NodeConfig config(Map<String, String> extra) {
        Map<String, String> s = new HashMap<>(extra);
        s.put("node.id", "1");
        s.put("cluster.nodes", "1@127.0.0.1:20001:20002");
        s.put("data.dir", "/tmp/unused-by-this-test");
        return NodeConfig.fromMap(s, null);
    }

    private static long stepDownWaitMs(RaftProperties p) {
        return RaftServerConfigKeys.LeaderElection.leaderStepDownWaitTime(p).toLong(TimeUnit.MILLISECONDS);
    }

    @Test
    void aDeposedLeaderWaitsTheMaximumElectionTimeoutNotTenSeconds() {
        assertEquals(2000, stepDownWaitMs(properties(Map.of())));
        assertEquals(8000, stepDownWaitMs(properties(Map.of("raft.election.timeout.min.ms", "4000",
                "raft.election.timeout.max.ms", "8000"))));
        assertEquals(10_000, stepDownWaitMs(properties(Map.of("raft.election.timeout.min.ms", "8000",
                "raft.election.timeout.max.ms", "16000"))), "capped at Ratis's own 10 s");
        assertEquals(300, stepDownWaitMs(properties(Map.of("raft.leader.stepdown.wait.ms", "300"))));
    }

    @Test
    void appendersRetryAnUnreachableFollowerAtLeastEverySecond() {
        assertEquals("1ms,10, 100ms,20, 1s,1000", RaftServerConfigKeys.Log.Appender.retryPolicy(properties(Map.of())));
        assertEquals("1ms,5, 2s,100", RaftServerConfigKeys.Log.Appender.retryPolicy(
                properties(Map.of("raft.log.appender.retry.policy", "1ms,5, 2s,100"))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> properties(Map.of("raft.log.appender.retry.policy", "1ms,ten")));
        assertTrue(e.getMessage().startsWith("raft.log.appender.retry.policy must be pairs"), e.getMessage());
    }

    @Test
    void noCommitIndexEntriesUnlessAsked() {
        RaftProperties defaults = properties(Map.of());
        assertEquals(false, RaftServerConfigKeys.Log.logMetadataEnabled(defaults));
        assertEquals(true, RaftServerConfigKeys.Log.logMetadataEnabled(
                properties(Map.of("raft.log.metadata.entries", "true"))));
    }

    @Test
    void partitionStoresFlushThroughThePageCacheWithOneMegabyteSyncsAndUse64MegabyteBatchFilesUnlessToldOtherwise() {
        assertEquals(new PartitionStore.FileWrites(false, 1 << 20, 64 << 20, 1 << 20), RaftHost.fileWrites(config(Map.of())));
        assertEquals(PartitionStore.FileWrites.DEFAULT, RaftHost.fileWrites(config(Map.of())));
        assertEquals(new PartitionStore.FileWrites(true, 1 << 20), RaftHost.fileWrites(config(Map.of(
                "rocksdb.flush.direct.io", "true"))));
        assertEquals(new PartitionStore.FileWrites(false, 0), RaftHost.fileWrites(config(Map.of(
                "rocksdb.flush.bytes.per.sync", "0"))));
        assertEquals(new PartitionStore.FileWrites(false, 4 << 20), RaftHost.fileWrites(config(Map.of(
                "rocksdb.flush.bytes.per.sync", "4MB"))));
        assertEquals(64 << 20, RaftHost.fileWrites(config(Map.of())).segmentBytesMax());
        assertEquals(1 << 20, RaftHost.fileWrites(config(Map.of())).segmentWritebackBytes());
        assertEquals(new PartitionStore.FileWrites(false, 1 << 20, 16 << 20, 0), RaftHost.fileWrites(config(Map.of(
                "partition.segment.bytes.max", "16MB", "partition.segment.writeback.bytes", "0"))));
        for (String bad : new String[] {"0", "-1MB", "lots"}) {
            assertEquals("partition.segment.bytes.max must be a size of at least 1 bytes (such as 1MB), got " + bad,
                    assertThrows(IllegalArgumentException.class, () -> RaftHost.fileWrites(config(Map.of(
                            "partition.segment.bytes.max", bad)))).getMessage());
        }
        assertEquals("partition.segment.writeback.bytes must be a size of at least 0 bytes (such as 1MB), got -1",
                assertThrows(IllegalArgumentException.class, () -> RaftHost.fileWrites(config(Map.of(
                        "partition.segment.writeback.bytes", "-1")))).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RaftHost.fileWrites(config(Map.of("rocksdb.flush.direct.io", "ture"))));
        assertEquals("rocksdb.flush.direct.io must be true or false, got ture", e.getMessage());
        assertEquals(false, config(Map.of("peer.watch.enabled", "FALSE")).boolSetting("peer.watch.enabled", true));
        assertThrows(IllegalArgumentException.class,
                () -> config(Map.of("peer.watch.enabled", "no")).boolSetting("peer.watch.enabled", true));
    }
}
