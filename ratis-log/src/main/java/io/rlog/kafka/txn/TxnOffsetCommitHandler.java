package io.rlog.kafka.txn;

import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.GroupCoordinator.OffsetToCommit;
import io.rlog.broker.GroupCoordinator.Partition;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * TxnOffsetCommit v0-v4, sent to the group's coordinator: the offsets stay pending in the group's offsets partition
 * until the transaction's marker reaches it (committed then, or dropped on abort). From v3 the group's member and
 * generation are checked as for OffsetCommit; older versions carry none.
 */
final class TxnOffsetCommitHandler implements ApiHandler {
    private final GroupCoordinator groups;

    TxnOffsetCommitHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.TXN_OFFSET_COMMIT;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        TxnOffsetCommitRequestData data = (TxnOffsetCommitRequestData) request;
        List<OffsetToCommit> offsets = new ArrayList<>();
        for (TxnOffsetCommitRequestTopic topic : data.topics()) {
            for (TxnOffsetCommitRequestPartition p : topic.partitions()) {
                offsets.add(new OffsetToCommit(new Partition(topic.name(), p.partitionIndex()), p.committedOffset(),
                        p.committedLeaderEpoch(), p.committedMetadata()));
            }
        }
        boolean checkMember = context.apiVersion() >= 3;
        return groups.commitTransactional(data.groupId(), data.producerId(), data.producerEpoch(),
                checkMember ? data.memberId() : "", checkMember ? data.groupInstanceId() : null,
                checkMember ? data.generationIdOrMemberEpoch() : -1, checkMember, offsets).thenApply(outcome -> {
                    Map<String, List<TxnOffsetCommitResponsePartition>> byTopic = new LinkedHashMap<>();
                    outcome.errors().forEach((p, code) -> byTopic.computeIfAbsent(p.topic(), t -> new ArrayList<>())
                            .add(new TxnOffsetCommitResponsePartition().setPartitionIndex(p.partition())
                                    .setErrorCode(code)));
                    List<TxnOffsetCommitResponseTopic> topics = new ArrayList<>();
                    byTopic.forEach((t, ps) -> topics.add(new TxnOffsetCommitResponseTopic().setName(t).setPartitions(ps)));
                    return new TxnOffsetCommitResponseData().setThrottleTimeMs(0).setTopics(topics);
                });
    }
}
