package io.rlog.node;

import io.rlog.proto.AllocateProducerIds;
import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataReply;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every node learns of a metadata write at once, not at the metadata leader's next heartbeat. The Raft log has no
 * commit-index entries (RaftHost), so a follower hears of a commit with the next entry or heartbeat; the metadata
 * writer follows its writes with a no-op entry instead, whose appendEntries carries the commit (MetadataWriter).
 * Here a leader sends a heartbeat 6 s after a follower's last reply (half the minimum election timeout) and nothing
 * else writes to the metadata group, so without the notice the followers would learn of each write about 6 s
 * after it.
 */
class CommitAnnouncementTest {

    /** Heartbeats 6 s apart; no other metadata writes meanwhile (the cluster would create __consumer_offsets). */
    private static final Map<String, String> SLOW_HEARTBEATS = Map.of("raft.election.timeout.min.ms", "12000",
            "raft.election.timeout.max.ms", "13000", "offsets.topic.create.eagerly", "false");

    @TempDir
    Path dir;

    @Test
    void everyNodeAppliesAMetadataWriteBeforeTheNextHeartbeat() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, SLOW_HEARTBEATS)) {
            for (int n = 1; n <= cluster.size(); n++) {
                // Each node in turn writes through its own client, which follows the leader wherever it is.
                writeAndAwaitEveryNode(cluster, n, new CountDownLatch(0));
            }
        }
    }

    /**
     * The case that made a linearizable read, the announcement before, miss a follower: the write commits (the
     * leader and one follower are a majority) while the other follower still owes the leader its reply to the
     * write's appendEntries, and Ratis's leader sends such a follower a heartbeat without a commit index.
     */
    @Test
    void aFollowerThatStillOwesItsReplyWhenTheWriteCommitsAppliesItToo() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, SLOW_HEARTBEATS)) {
            int leader = metadataLeader(cluster);
            Object slowId = RaftHost.peerId(leader % cluster.size() + 1);
            // One follower holds every metadata appendEntries that carries entries until the write has committed
            // (by the leader and the other follower) and its writer has announced it: the case of a follower that
            // still owes its reply to the write's own appendEntries.
            AtomicReference<CountDownLatch> held = new AtomicReference<>();
            InJvmCluster.holdAppendEntries(GroupIds.METADATA, slowId::equals, held::get, 10);
            try {
                for (int i = 0; i < 3; i++) {
                    CountDownLatch gate = new CountDownLatch(1);
                    held.set(gate);
                    writeAndAwaitEveryNode(cluster, leader, gate);
                }
            } finally {
                held.set(null);
                CodeInjectionForTesting.remove(InJvmCluster.RATIS_APPEND_ENTRIES);
            }
        }
    }

    /**
     * Allocates producer ids through node n's client, opens {@code afterReply} once the write is answered, and waits
     * 3 s at most for every node to have applied it.
     */
    private static void writeAndAwaitEveryNode(InJvmCluster cluster, int n, CountDownLatch afterReply)
            throws Exception {
        MetadataWriter writer = new MetadataWriter(cluster.node(n).raftHost());
        MetadataReply reply = writer.write(MetadataCommand.newBuilder().setAllocateProducerIds(
                AllocateProducerIds.newBuilder().setNodeId(n).setCount(10)).build()).get(10, TimeUnit.SECONDS);
        afterReply.countDown();
        assertEquals(0, reply.getErrorCode(), reply.getErrorMessage());
        long next = reply.getFirstProducerId() + 10;
        InJvmCluster.await("every node's metadata past producer id " + next, 3_000, () -> {
            for (int k = 1; k <= cluster.size(); k++) {
                if (cluster.node(k).raftHost().metadata().image().getNextProducerId() < next) {
                    return false;
                }
            }
            return true;
        });
    }

    private static int metadataLeader(InJvmCluster cluster) throws Exception {
        int[] leader = {0};
        InJvmCluster.await("a metadata leader", 30_000, () -> {
            for (int k = 1; k <= cluster.size(); k++) {
                if (cluster.node(k).raftHost().division(GroupIds.METADATA)
                        .map(d -> d.getInfo().isLeader()).orElse(false)) {
                    leader[0] = k;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }
}
