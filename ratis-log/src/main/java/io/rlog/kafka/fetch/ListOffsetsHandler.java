package io.rlog.kafka.fetch;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.ClusterView;
import io.rlog.broker.Broker.OffsetOutcome;
import io.rlog.broker.Broker.TopicView;
import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * ListOffsets v1-v8. Special timestamps: -2 earliest, -1 latest, -3 max timestamp (v7+), -4 earliest local (v8+,
 * tiered storage; rlog keeps everything local, so it is the earliest). v9+ adds timestamps rlog does not serve.
 */
public final class ListOffsetsHandler implements ApiHandler {
    private static final long EARLIEST_TIMESTAMP = -2;
    private static final long EARLIEST_LOCAL_TIMESTAMP = -4;

    private final Broker broker;

    public ListOffsetsHandler(Broker broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 8;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        ListOffsetsRequestData data = (ListOffsetsRequestData) request;
        ClusterView view = broker.cluster();
        boolean hasLeaderEpoch = context.apiVersion() >= 4;
        // read_committed consumers (v2 on) see the last stable offset as the latest.
        boolean readCommitted = context.apiVersion() >= 2 && data.isolationLevel() == 1;
        List<ListOffsetsTopicResponse> topics = new ArrayList<>();
        for (ListOffsetsTopic topic : data.topics()) {
            TopicView known = view.topics().get(topic.name());
            List<ListOffsetsPartitionResponse> partitions = new ArrayList<>();
            for (ListOffsetsPartition partition : topic.partitions()) {
                partitions.add(answer(known, topic.name(), partition, hasLeaderEpoch, readCommitted));
            }
            topics.add(new ListOffsetsTopicResponse().setName(topic.name()).setPartitions(partitions));
        }
        return CompletableFuture.completedFuture(new ListOffsetsResponseData().setThrottleTimeMs(0).setTopics(topics));
    }

    private ListOffsetsPartitionResponse answer(TopicView known, String topic, ListOffsetsPartition partition,
                                                boolean hasLeaderEpoch, boolean readCommitted) {
        ListOffsetsPartitionResponse response = new ListOffsetsPartitionResponse()
                .setPartitionIndex(partition.partitionIndex())
                .setTimestamp(-1)
                .setOffset(-1);
        if (known == null || partition.partitionIndex() < 0 || partition.partitionIndex() >= known.partitions().size()) {
            return response.setErrorCode(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
        }
        long timestamp = partition.timestamp() == EARLIEST_LOCAL_TIMESTAMP ? EARLIEST_TIMESTAMP : partition.timestamp();
        OffsetOutcome outcome = broker.listOffset(topic, partition.partitionIndex(), timestamp, readCommitted);
        response.setErrorCode(outcome.errorCode());
        if (outcome.errorCode() != ErrorCodes.NONE) {
            return response;
        }
        response.setOffset(outcome.offset()).setTimestamp(outcome.timestamp());
        // The leader epoch field exists from v4 on and is not ignorable: setting it for older versions fails to encode.
        if (hasLeaderEpoch) {
            response.setLeaderEpoch(outcome.leaderEpoch());
        }
        return response;
    }
}
