package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.GroupCoordinator.CommittedOffset;
import io.rlog.broker.GroupCoordinator.FetchOutcome;
import io.rlog.broker.GroupCoordinator.Partition;
import io.rlog.group.GroupErrors;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * OffsetFetch v2-v9: one group before v8, a batch of groups from v8; null topics mean every committed partition.
 * A partition without a committed offset answers -1. The offsets come from the coordinator's applied Raft state,
 * so they are committed ones. With requireStable (v7 on, sent by read_committed consumers) a partition whose offset
 * a transaction has committed but not yet ended answers UNSTABLE_OFFSET_COMMIT, and the client asks again.
 */
public final class OffsetFetchHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public OffsetFetchHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public short minVersion() {
        return 2;
    }

    @Override
    public short maxVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        OffsetFetchRequestData data = (OffsetFetchRequestData) request;
        short version = context.apiVersion();
        if (version < 8) {
            List<Partition> partitions = null;
            if (data.topics() != null) {
                partitions = new ArrayList<>();
                for (OffsetFetchRequestTopic t : data.topics()) {
                    for (int p : t.partitionIndexes()) {
                        partitions.add(new Partition(t.name(), p));
                    }
                }
            }
            return groups.fetchOffsets(data.groupId(), partitions, version >= 7 && data.requireStable())
                    .thenApply(o -> single(o, version));
        }
        List<CompletableFuture<OffsetFetchResponseGroup>> answers = new ArrayList<>();
        for (OffsetFetchRequestGroup g : data.groups()) {
            List<Partition> partitions = null;
            if (g.topics() != null) {
                partitions = new ArrayList<>();
                for (OffsetFetchRequestTopics t : g.topics()) {
                    for (int p : t.partitionIndexes()) {
                        partitions.add(new Partition(t.name(), p));
                    }
                }
            }
            answers.add(groups.fetchOffsets(g.groupId(), partitions, data.requireStable())
                    .thenApply(o -> group(g.groupId(), o)));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<OffsetFetchResponseGroup> out = new ArrayList<>();
            answers.forEach(a -> out.add(a.join()));
            return new OffsetFetchResponseData().setThrottleTimeMs(0).setGroups(out);
        });
    }

    private static OffsetFetchResponseData single(FetchOutcome outcome, short version) {
        OffsetFetchResponseData response = new OffsetFetchResponseData().setThrottleTimeMs(0)
                .setErrorCode(outcome.errorCode());
        if (outcome.errorCode() != GroupErrors.NONE) {
            return response;
        }
        Map<String, List<OffsetFetchResponsePartition>> byTopic = new LinkedHashMap<>();
        outcome.offsets().forEach((p, o) -> {
            OffsetFetchResponsePartition partition = new OffsetFetchResponsePartition().setPartitionIndex(p.partition())
                    .setCommittedOffset(o.offset()).setMetadata(o.metadata()).setErrorCode(o.errorCode());
            if (version >= 5) {
                partition.setCommittedLeaderEpoch(o.leaderEpoch());
            }
            byTopic.computeIfAbsent(p.topic(), k -> new ArrayList<>()).add(partition);
        });
        List<OffsetFetchResponseTopic> topics = new ArrayList<>();
        byTopic.forEach((t, ps) -> topics.add(new OffsetFetchResponseTopic().setName(t).setPartitions(ps)));
        return response.setTopics(topics);
    }

    private static OffsetFetchResponseGroup group(String groupId, FetchOutcome outcome) {
        OffsetFetchResponseGroup group = new OffsetFetchResponseGroup().setGroupId(groupId)
                .setErrorCode(outcome.errorCode());
        Map<String, List<OffsetFetchResponsePartitions>> byTopic = new LinkedHashMap<>();
        for (Map.Entry<Partition, CommittedOffset> e : outcome.offsets().entrySet()) {
            CommittedOffset o = e.getValue();
            byTopic.computeIfAbsent(e.getKey().topic(), k -> new ArrayList<>()).add(new OffsetFetchResponsePartitions()
                    .setPartitionIndex(e.getKey().partition()).setCommittedOffset(o.offset())
                    .setCommittedLeaderEpoch(o.leaderEpoch()).setMetadata(o.metadata()).setErrorCode(o.errorCode()));
        }
        List<OffsetFetchResponseTopics> topics = new ArrayList<>();
        byTopic.forEach((t, ps) -> topics.add(new OffsetFetchResponseTopics().setName(t).setPartitions(ps)));
        return group.setTopics(topics);
    }
}
