package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.GroupCoordinator.OffsetToCommit;
import io.rlog.broker.GroupCoordinator.Partition;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * OffsetCommit v2-v9 (v10 names topics by id; not served). The coordinator checks the generation and writes the
 * offsets through Raft; the answer comes after quorum commit. The retention time of v2-v4 is ignored: rlog keeps
 * committed offsets until the group or the offsets are deleted.
 */
public final class OffsetCommitHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public OffsetCommitHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
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
        OffsetCommitRequestData data = (OffsetCommitRequestData) request;
        short version = context.apiVersion();
        List<OffsetToCommit> offsets = new ArrayList<>();
        for (OffsetCommitRequestTopic t : data.topics()) {
            for (OffsetCommitRequestPartition p : t.partitions()) {
                offsets.add(new OffsetToCommit(new Partition(t.name(), p.partitionIndex()), p.committedOffset(),
                        version >= 6 ? p.committedLeaderEpoch() : -1, p.committedMetadata()));
            }
        }
        String instanceId = version >= 7 ? data.groupInstanceId() : null;
        return groups.commit(data.groupId(), data.memberId(), instanceId, data.generationIdOrMemberEpoch(), offsets)
                .thenApply(outcome -> {
                    List<OffsetCommitResponseTopic> topics = new ArrayList<>();
                    for (OffsetCommitRequestTopic t : data.topics()) {
                        List<OffsetCommitResponsePartition> partitions = new ArrayList<>();
                        for (OffsetCommitRequestPartition p : t.partitions()) {
                            Short code = outcome.errors().get(new Partition(t.name(), p.partitionIndex()));
                            partitions.add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex())
                                    .setErrorCode(code == null ? io.rlog.group.GroupErrors.UNKNOWN_SERVER_ERROR : code));
                        }
                        topics.add(new OffsetCommitResponseTopic().setName(t.name()).setPartitions(partitions));
                    }
                    return new OffsetCommitResponseData().setThrottleTimeMs(0).setTopics(topics);
                });
    }
}
