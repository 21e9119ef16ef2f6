package io.rlog.node;

import io.rlog.proto.AllocateProducerIds;
import io.rlog.proto.MetadataCommand;
import io.rlog.proto.MetadataReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every node learns of a metadata write at once, not at the metadata leader's next heartbeat. The Raft log has no
 * commit-index entries (RaftHost), so a follower hears of a commit with the next entry or heartbeat; the metadata
 * writer announces each of its commits with a linearizable read instead (MetadataWriter). Here a leader sends a
 * heartbeat 6 s after a follower's last reply (half the minimum election timeout) and nothing else writes to the
 * metadata group, so without the announcement the followers would learn of each write about 6 s after it.
 */
class CommitAnnouncementTest {

    @TempDir
    Path dir;

    @Test
    void everyNodeAppliesAMetadataWriteBeforeTheNextHeartbeat() throws Exception {
        // No other metadata writes meanwhile: the cluster would create __consumer_offsets (16 records) as it forms.
        // The test still fails at times, the announcement read unanswered (docs/design-decisions.md, "No
        // commit-index entries in the Raft log").
        Map<String, String> slowHeartbeats = Map.of("raft.election.timeout.min.ms", "12000",
                "raft.election.timeout.max.ms", "13000", "offsets.topic.create.eagerly", "false");
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, slowHeartbeats)) {
            for (int n = 1; n <= cluster.size(); n++) {
                // Each node in turn writes through its own client, which follows the leader wherever it is.
                MetadataWriter writer = new MetadataWriter(cluster.node(n).raftHost().metadataClient());
                MetadataReply reply = writer.write(MetadataCommand.newBuilder().setAllocateProducerIds(
                        AllocateProducerIds.newBuilder().setNodeId(n).setCount(10)).build()).get(10, TimeUnit.SECONDS);
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
        }
    }
}
