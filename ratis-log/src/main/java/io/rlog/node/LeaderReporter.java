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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private final ScheduledExecutorService executor;
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Reports in flight, by group, with their term: one at a time per group. */
    private final Map<RaftGroupId, Long> inFlight = new ConcurrentHashMap<>();

    LeaderReporter(int nodeId, RaftHost host, MetadataView view, MetadataWriter writer,
                   ScheduledExecutorService executor) {
        this.nodeId = nodeId;
        this.host = host;
        this.view = view;
        this.writer = writer;
        this.executor = executor;
    }

    void start(long intervalMs) {
        view.onChange(this::trigger);
        executor.scheduleWithFixedDelay(this::trigger, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    void trigger() {
        if (scheduled.compareAndSet(false, true)) {
            executor.execute(() -> {
                scheduled.set(false);
                try {
                    report();
                } catch (RuntimeException e) {
                    LOG.warn("leader report failed: {}", e.toString());
                }
            });
        }
    }

    /** A leader not yet ready (it has not committed an entry of its term) is retried by the timer. */
    void triggerSoon() {
        executor.schedule(this::trigger, 50, TimeUnit.MILLISECONDS);
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
