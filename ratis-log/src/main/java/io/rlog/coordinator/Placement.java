package io.rlog.coordinator;

import io.rlog.group.GroupErrors;
import io.rlog.node.GroupIds;
import io.rlog.node.RaftHost;
import io.rlog.proto.TopicRecord;
import io.rlog.statemachine.partition.PartitionStateMachine;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

import java.util.Optional;

/** Where a group's state lives on this node: which offsets partition, and whether this node leads it now. */
final class Placement {

    /**
     * {@code errorCode} NONE: this node leads {@code partition} at {@code term} and has applied every committed
     * entry (a ready Ratis leader), so {@code sm} holds every committed offset of the partition's groups.
     */
    record Place(short errorCode, String message, int partition, RaftGroupId gid, PartitionStateMachine sm, long term) {
        static Place error(short code, String message, int partition) {
            return new Place(code, message, partition, null, null, -1);
        }

        boolean ok() {
            return errorCode == GroupErrors.NONE;
        }
    }

    private final RaftHost host;
    private final OffsetsTopic topic;
    private final int nodeId;

    Placement(RaftHost host, OffsetsTopic topic, int nodeId) {
        this.host = host;
        this.topic = topic;
        this.nodeId = nodeId;
    }

    /** The number of offsets partitions, or 0 while the topic does not exist. */
    int partitionCount() {
        TopicRecord t = topic.current();
        return t == null ? 0 : t.getPartitionsCount();
    }

    int partitionOf(String groupId) {
        int n = partitionCount();
        return n == 0 ? -1 : OffsetsTopic.partitionFor(groupId, n);
    }

    Place locate(String groupId) {
        int p = partitionOf(groupId);
        if (p < 0) {
            topic.createForRequest();
            return Place.error(GroupErrors.COORDINATOR_NOT_AVAILABLE, OffsetsTopic.NAME + " does not exist yet", -1);
        }
        return locatePartition(p);
    }

    Place locatePartition(int p) {
        TopicRecord t = topic.current();
        if (t == null || p >= t.getPartitionsCount()) {
            return Place.error(GroupErrors.COORDINATOR_NOT_AVAILABLE, OffsetsTopic.NAME + " does not exist yet", p);
        }
        RaftGroupId gid = GroupIds.partition(GroupIds.uuid(t.getTopicId()), p);
        Optional<PartitionStateMachine> sm = host.partition(gid);
        DivisionInfo info = host.division(gid).map(RaftServer.Division::getInfo).orElse(null);
        if (sm.isEmpty() || info == null || !info.isLeader()) {
            return Place.error(GroupErrors.NOT_COORDINATOR, "node " + nodeId + " does not lead "
                    + OffsetsTopic.NAME + "-" + p, p);
        }
        if (!info.isLeaderReady()) {
            return Place.error(GroupErrors.COORDINATOR_LOAD_IN_PROGRESS, "node " + nodeId + " is taking over "
                    + OffsetsTopic.NAME + "-" + p, p);
        }
        return new Place(GroupErrors.NONE, null, p, gid, sm.get(), info.getCurrentTerm());
    }

    /**
     * FindCoordinator for a group id or a transactional id: the node the metadata records as leader of the key's
     * offsets partition; COORDINATOR_NOT_AVAILABLE while the topic is being created or the partition has no leader.
     */
    io.rlog.broker.GroupCoordinator.CoordinatorOutcome findCoordinator(String key) {
        if (partitionCount() == 0) {
            locate(key); // starts the creation of the offsets topic if it is missing
            return new io.rlog.broker.GroupCoordinator.CoordinatorOutcome(GroupErrors.COORDINATOR_NOT_AVAILABLE,
                    "The coordinator is not available: " + OffsetsTopic.NAME + " is being created.", -1, null, -1);
        }
        int leader = recordedLeader(key);
        if (leader < 0) {
            return new io.rlog.broker.GroupCoordinator.CoordinatorOutcome(GroupErrors.COORDINATOR_NOT_AVAILABLE,
                    "The coordinator is not available: " + OffsetsTopic.NAME + "-" + partitionOf(key)
                            + " has no leader yet.", -1, null, -1);
        }
        return new io.rlog.broker.GroupCoordinator.CoordinatorOutcome(GroupErrors.NONE, null, leader, null, -1);
    }

    /** The leader of the group's offsets partition as the metadata records it, or -1. */
    int recordedLeader(String groupId) {
        TopicRecord t = topic.current();
        if (t == null) {
            return -1;
        }
        return t.getPartitions(OffsetsTopic.partitionFor(groupId, t.getPartitionsCount())).getLeader();
    }
}
