package io.rlog.node;

import io.rlog.proto.MetadataCommand;
import io.rlog.proto.PartitionLeader;
import io.rlog.proto.PartitionRecord;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Records in the metadata group that this node leads a partition, with its Raft term as the Kafka leader
 * epoch, so that Metadata answers from any node point clients here. Converges: it runs after a leader change,
 * after metadata changes and on a timer, and reports every ready local leadership the metadata does not show.
 */
final class LeaderReporter {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderReporter.class);

    private final int nodeId;
    private final RaftHost host;
    private final MetadataView view;
    private final MetadataWriter writer;
    private final ConvergenceLoop loop;
    /** Reports in flight, by group, with their term: one at a time per group. */
    private final Map<RaftGroupId, Long> inFlight = new ConcurrentHashMap<>();

    LeaderReporter(int nodeId, RaftHost host, MetadataView view, MetadataWriter writer,
                   ScheduledExecutorService executor) {
        this.nodeId = nodeId;
        this.host = host;
        this.view = view;
        this.writer = writer;
        this.loop = new ConvergenceLoop("leader report", this::report, executor);
    }

    void start(long intervalMs) {
        loop.start(view, intervalMs);
    }

    void trigger() {
        loop.trigger();
    }

    /** Looks again in 50 ms: a leader not yet ready (no entry of its term applied) is reported once it is. */
    void triggerSoon() {
        loop.triggerAfter(50);
    }

    private void report() {
        MetadataView.Snapshot snap = view.current();
        for (RaftGroupId gid : host.groupIds()) {
            MetadataView.PartitionRef ref = snap.byGroup().get(gid);
            if (ref == null || inFlight.containsKey(gid)) {
                continue;
            }
            DivisionInfo info = host.division(gid).map(RaftServer.Division::getInfo).orElse(null);
            if (info == null || !info.isLeader()) {
                continue;
            }
            if (!info.isLeaderReady()) {
                // Clients wait on this report to find the new leader: look again soon, not at the next tick.
                triggerSoon();
                continue;
            }
            long term = info.getCurrentTerm();
            PartitionRecord known = ref.topic().getPartitions(ref.partition());
            if (known.getLeader() == nodeId && known.getLeaderTerm() >= term) {
                continue;
            }
            inFlight.put(gid, term);
            MetadataCommand cmd = MetadataCommand.newBuilder().setPartitionLeader(PartitionLeader.newBuilder()
                    .setTopicId(GroupIds.bytes(ref.topicId())).setPartition(ref.partition()).setNodeId(nodeId)
                    .setTerm(term)).build();
            writer.write(cmd).whenComplete((r, t) -> {
                inFlight.remove(gid);
                if (t != null) {
                    LOG.debug("reporting leadership of {} failed: {}", gid, t.toString());
                } else {
                    LOG.info("node {} leads {}-{} at epoch {}", nodeId, ref.topic().getName(), ref.partition(), term);
                }
            });
        }
    }
}
