package io.rlog.kafka.group;

import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.GroupCoordinator.Partition;
import io.rlog.group.GroupErrors;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartitionCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * OffsetDelete v0: removes committed offsets of an Empty group, or of topics an active consumer group does not
 * subscribe to (GROUP_SUBSCRIBED_TO_TOPIC otherwise). Subscriptions are read from the members' consumer-protocol
 * metadata, which only this codec package may parse.
 */
public final class OffsetDeleteHandler implements ApiHandler {
    private final GroupCoordinator groups;

    public OffsetDeleteHandler(GroupCoordinator groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        OffsetDeleteRequestData data = (OffsetDeleteRequestData) request;
        List<Partition> partitions = new ArrayList<>();
        for (OffsetDeleteRequestTopic t : data.topics()) {
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                partitions.add(new Partition(t.name(), p.partitionIndex()));
            }
        }
        return groups.deleteOffsets(data.groupId(), partitions, OffsetDeleteHandler::subscribedTopics).thenApply(o -> {
            OffsetDeleteResponseData response = new OffsetDeleteResponseData().setThrottleTimeMs(0)
                    .setErrorCode(o.errorCode());
            if (o.errorCode() != GroupErrors.NONE) {
                return response;
            }
            OffsetDeleteResponseTopicCollection topics = new OffsetDeleteResponseTopicCollection();
            for (OffsetDeleteRequestTopic t : data.topics()) {
                OffsetDeleteResponsePartitionCollection ps = new OffsetDeleteResponsePartitionCollection();
                for (OffsetDeleteRequestPartition p : t.partitions()) {
                    Short code = o.errors().get(new Partition(t.name(), p.partitionIndex()));
                    ps.add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                            .setErrorCode(code == null ? GroupErrors.NONE : code));
                }
                topics.add(new OffsetDeleteResponseTopic().setName(t.name()).setPartitions(ps));
            }
            return response.setTopics(topics);
        });
    }

    /** The topics of a consumer-protocol subscription; none when the metadata is not one. */
    static Set<String> subscribedTopics(byte[] metadata) {
        try {
            return new HashSet<>(ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata)).topics());
        } catch (RuntimeException e) {
            return Set.of();
        }
    }
}
