package io.rlog.node;

import io.rlog.broker.Broker.TopicOutcome;
import io.rlog.broker.ErrorCodes;
import io.rlog.proto.AddPartitions;
import io.rlog.proto.MetadataCommand;
import io.rlog.proto.ReplicaList;
import io.rlog.proto.TopicRecord;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * CreatePartitions: adds partitions to a topic through the metadata group. The new partitions' replicas continue
 * the topic's placement (the same rotation createTopic uses), the group reconciler then creates their Raft groups,
 * and consumers see them in Metadata; a subscribed group's leader notices and the group rebalances onto them.
 */
final class PartitionGrowth {

    private final NodeConfig config;
    private final MetadataView view;
    private final MetadataWriter writer;
    private final Limits limits;

    PartitionGrowth(NodeConfig config, MetadataView view, MetadataWriter writer, Limits limits) {
        this.config = config;
        this.view = view;
        this.writer = writer;
        this.limits = limits;
    }

    CompletableFuture<TopicOutcome> grow(String topic, int totalCount, boolean validateOnly, int timeoutMs) {
        TopicRecord t = view.current().byName().get(topic);
        if (t == null) {
            return done(error(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + topic + "' does not exist."));
        }
        if (topic.startsWith("__")) {
            // The coordinator of group g is found by hashing g over the offsets partitions: their count is fixed.
            return done(error(ErrorCodes.INVALID_REQUEST, "Internal topic " + topic + " cannot get more partitions."));
        }
        int current = t.getPartitionsCount();
        if (totalCount <= current) {
            return done(error(ErrorCodes.INVALID_PARTITIONS, "Topic currently has " + current
                    + " partitions, which is higher than or equal to the requested " + totalCount + "."));
        }
        if (totalCount > limits.partitionsPerTopicMax()) {
            return done(error(ErrorCodes.INVALID_PARTITIONS, "partitions must be at most "
                    + limits.partitionsPerTopicMax() + ", not " + totalCount));
        }
        int rf = t.getPartitions(0).getReplicasCount();
        if (validateOnly) {
            return done(new TopicOutcome(ErrorCodes.NONE, null, GroupIds.uuid(t.getTopicId()), totalCount, (short) rf));
        }
        int nodes = config.peers().size();
        int start = Math.floorMod(topic.hashCode(), nodes);
        AddPartitions.Builder add = AddPartitions.newBuilder().setName(topic).setTopicId(t.getTopicId())
                .setFromCount(current);
        for (int p = current; p < totalCount; p++) {
            ReplicaList.Builder r = ReplicaList.newBuilder();
            for (int i = 0; i < rf; i++) {
                r.addNodeIds(config.peers().get((start + p + i) % nodes).id());
            }
            add.addAssignments(r);
        }
        TopicOutcome ok = new TopicOutcome(ErrorCodes.NONE, null, GroupIds.uuid(t.getTopicId()), totalCount, (short) rf);
        return writer.write(MetadataCommand.newBuilder().setAddPartitions(add).build()).thenCompose(reply -> {
            if (reply.getErrorCode() != 0) {
                return done(error((short) reply.getErrorCode(), reply.getErrorMessage()));
            }
            return view.await(s -> {
                TopicRecord now = s.byName().get(topic);
                return now != null && now.getPartitionsCount() >= totalCount
                        && now.getPartitionsList().stream().allMatch(p -> p.getLeader() >= 0);
            }).orTimeout(Math.max(1, timeoutMs), TimeUnit.MILLISECONDS).handle((s, e) -> ok);
        }).exceptionally(e -> error(ErrorCodes.REQUEST_TIMED_OUT, "metadata write failed: " + e));
    }

    private static TopicOutcome error(short code, String message) {
        return new TopicOutcome(code, message, null, -1, (short) -1);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
