package io.rlog.broker;

import io.rlog.group.Messages.GroupDescription;
import io.rlog.group.Messages.JoinRequest;
import io.rlog.group.Messages.JoinResult;
import io.rlog.group.Messages.SyncRequest;
import io.rlog.group.Messages.SyncResult;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the Kafka listener needs for consumer groups (DESIGN: consumer groups). The coordinator of group {@code g}
 * is the leader of {@code __consumer_offsets} partition {@code abs(g.hashCode()) % N}; membership lives in that
 * node's memory and committed offsets in that partition's Raft group.
 *
 * <p>Contract: every method is non-blocking and thread-safe; futures complete on a coordinator or Ratis thread and
 * never exceptionally for an operating error (that is a Kafka error code in the outcome). A request for a group
 * this node does not coordinate is answered NOT_COORDINATOR (COORDINATOR_LOAD_IN_PROGRESS while this node's
 * leadership is not yet ready), and the client finds the coordinator again.
 */
public interface GroupCoordinator {

    /** The node that coordinates {@code groupId}; COORDINATOR_NOT_AVAILABLE while its partition has no leader. */
    CoordinatorOutcome findCoordinator(String groupId);

    CompletableFuture<JoinResult> join(String groupId, JoinRequest request);

    CompletableFuture<SyncResult> sync(String groupId, SyncRequest request);

    CompletableFuture<Short> heartbeat(String groupId, String memberId, String instanceId, int generation);

    /** LeaveGroup for several members; a group-level error fails them all. */
    CompletableFuture<LeaveOutcome> leave(String groupId, List<LeavingMember> members);

    /**
     * OffsetCommit: checked against the group's generation, then written to Raft and acknowledged after quorum
     * commit. Generation -1 with no member id commits for an Empty group (admin resets, manual assignment).
     */
    CompletableFuture<CommitOutcome> commit(String groupId, String memberId, String instanceId, int generation,
                                            List<OffsetToCommit> offsets);

    /**
     * TxnOffsetCommit: as {@link #commit}, but the offsets stay pending until the marker of producer
     * {@code producerId}'s transaction reaches the group's offsets partition (committed then, dropped on abort).
     * {@code checkMember} false (requests before v3, which carry no member) skips the generation check.
     */
    CompletableFuture<CommitOutcome> commitTransactional(String groupId, long producerId, short producerEpoch,
                                                         String memberId, String instanceId, int generation,
                                                         boolean checkMember, List<OffsetToCommit> offsets);

    /** OffsetFetch: {@code partitions} null means every partition the group committed. */
    default CompletableFuture<FetchOutcome> fetchOffsets(String groupId, List<Partition> partitions) {
        return fetchOffsets(groupId, partitions, false);
    }

    /**
     * OffsetFetch; with {@code requireStable} (read_committed consumers) a partition with a transactional offset
     * that is still pending answers UNSTABLE_OFFSET_COMMIT, and the client asks again.
     */
    CompletableFuture<FetchOutcome> fetchOffsets(String groupId, List<Partition> partitions, boolean requireStable);

    /** The groups this node coordinates, filtered by state and type names when the sets are non-empty. */
    CompletableFuture<List<GroupListing>> listGroups(Set<String> statesFilter, Set<String> typesFilter);

    /** An unknown group is described as Dead with no members, as Kafka does. */
    CompletableFuture<DescribeOutcome> describe(String groupId);

    /** DeleteGroups for one group: NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when unknown. */
    CompletableFuture<Short> deleteGroup(String groupId);

    /**
     * OffsetDelete. {@code subscribedTopics} reads the topics out of members' consumer-protocol metadata: offsets of
     * a topic an active group subscribes to are refused (GROUP_SUBSCRIBED_TO_TOPIC).
     */
    CompletableFuture<OffsetDeleteOutcome> deleteOffsets(String groupId, List<Partition> partitions,
                                                         Function<byte[], Set<String>> subscribedTopics);

    // ---------------------------------------------------------------------------------------------------------

    record CoordinatorOutcome(short errorCode, String message, int nodeId, String host, int port) {}

    record LeavingMember(String memberId, String instanceId, String reason) {}

    record LeaveOutcome(short errorCode, List<Short> memberErrors) {}

    record Partition(String topic, int partition) {}

    record OffsetToCommit(Partition partition, long offset, int leaderEpoch, String metadata) {}

    /** {@code errors} per partition, in request order. */
    record CommitOutcome(Map<Partition, Short> errors) {}

    record CommittedOffset(long offset, int leaderEpoch, String metadata, short errorCode) {}

    /** {@code errorCode} non-zero: the whole group failed; else one entry per partition (offset -1 when none). */
    record FetchOutcome(short errorCode, Map<Partition, CommittedOffset> offsets) {}

    record GroupListing(String groupId, String protocolType, String state) {}

    record DescribeOutcome(short errorCode, GroupDescription description) {}

    record OffsetDeleteOutcome(short errorCode, Map<Partition, Short> errors) {}
}
