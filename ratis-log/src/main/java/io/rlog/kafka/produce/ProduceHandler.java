package io.rlog.kafka.produce;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.ClusterView;
import io.rlog.broker.Broker.Node;
import io.rlog.broker.Broker.PartitionView;
import io.rlog.broker.Broker.ProduceOutcome;
import io.rlog.broker.Broker.TopicView;
import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import io.rlog.kafka.produce.BatchValidator.Rejection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpoint;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpointCollection;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponseCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Produce: advertised v0-v12 (librdkafka refuses a broker whose range does not reach down to its oldest known
 * version) but served from v3, the first that carries record batch v2 only; older versions close the connection as
 * in Kafka 4. Each partition is checked on its own ({@link BatchValidator}); a refused partition appends nothing
 * and does not stop the others. A partition's buffer goes to the broker as the client sent it.
 *
 * <p>acks=0: no response. As in Kafka, a failure is then reported by closing the connection, the only signal such
 * a producer can see. The request holds its connection's slot until its partitions have taken it.
 */
public final class ProduceHandler implements ApiHandler {
    /** The first Produce version whose responses carry the current leader and node endpoints (KIP-951). */
    static final short LEADER_HINT_VERSION = 10;

    private final Broker broker;
    private final ListenerConfig config;
    private final BatchValidator validator;

    public ProduceHandler(Broker broker, ListenerConfig config) {
        this.broker = broker;
        this.config = config;
        this.validator = new BatchValidator(config.messageMaxBytes());
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short minAcceptedVersion() {
        return 3;
    }

    @Override
    public short maxVersion() {
        return 12;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        ProduceRequestData data = (ProduceRequestData) request;
        short acks = data.acks();
        Rejection requestRejection = null;
        if (acks != -1 && acks != 0 && acks != 1) {
            requestRejection = new Rejection(ErrorCodes.INVALID_REQUIRED_ACKS, "acks must be -1, 0 or 1, got " + acks);
        }
        int timeoutMs = config.clampRequestTimeoutMs(data.timeoutMs());
        ClusterView view = broker.cluster();
        List<TopicResult> topics = new ArrayList<>();
        List<CompletableFuture<PartitionProduceResponse>> all = new ArrayList<>();
        for (TopicProduceData topic : data.topicData()) {
            TopicResult result = new TopicResult(topic.name());
            for (PartitionProduceData partition : topic.partitionData()) {
                Rejection rejection = requestRejection != null
                        ? requestRejection : check(view, topic.name(), partition, context.apiVersion());
                CompletableFuture<PartitionProduceResponse> response = rejection != null
                        ? CompletableFuture.completedFuture(refused(partition.index(), rejection))
                        : append(topic.name(), partition, acks, timeoutMs);
                result.partitions.add(response);
                all.add(response);
            }
            topics.add(result);
        }
        if (acks == 0) {
            closeOnFailure(context, all);
            // No response, but the request keeps its slot until its partitions have taken it, so that the
            // connection's in-flight bound holds an acks=0 producer back as it holds the others (Kafka's broker reads
            // a connection's next request once it has handled this one). Freed at once, acks=0 requests queued up in
            // the node without bound: a closed loop left more than ten seconds of records queued when it ended.
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(ignored -> null);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            ProduceResponseData response = response(topics);
            if (context.apiVersion() >= LEADER_HINT_VERSION) {
                addLeaderHints(response);
            }
            return response;
        });
    }

    /**
     * KIP-951: a partition refused with NOT_LEADER_OR_FOLLOWER names the leader this node knows of, with its
     * endpoint, so that the client sends its retry there without a metadata round trip and its backoff.
     */
    private void addLeaderHints(ProduceResponseData response) {
        ClusterView view = null;
        Set<Integer> hinted = new HashSet<>();
        for (TopicProduceResponse topic : response.responses()) {
            for (PartitionProduceResponse partition : topic.partitionResponses()) {
                if (partition.errorCode() != ErrorCodes.NOT_LEADER_OR_FOLLOWER) {
                    continue;
                }
                view = view != null ? view : broker.clusterNow();
                TopicView t = view.topics().get(topic.name());
                if (t == null || partition.index() >= t.partitions().size()) {
                    continue;
                }
                PartitionView p = t.partitions().get(partition.index());
                if (p.leaderId() >= 0 && p.leaderId() != broker.nodeId() && p.leaderEpoch() >= 0) {
                    partition.setCurrentLeader(new LeaderIdAndEpoch().setLeaderId(p.leaderId())
                            .setLeaderEpoch(p.leaderEpoch()));
                    hinted.add(p.leaderId());
                }
            }
        }
        if (hinted.isEmpty()) {
            return;
        }
        NodeEndpointCollection endpoints = new NodeEndpointCollection();
        for (Node node : view.nodes()) {
            if (hinted.contains(node.id())) {
                endpoints.add(new NodeEndpoint().setNodeId(node.id()).setHost(node.host()).setPort(node.port()));
            }
        }
        response.setNodeEndpoints(endpoints);
    }

    private Rejection check(ClusterView view, String topicName, PartitionProduceData partition, short version) {
        TopicView topic = view.topics().get(topicName);
        if (topic == null || partition.index() < 0 || partition.index() >= topic.partitions().size()) {
            return new Rejection(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host this topic-partition: " + topicName + "-" + partition.index());
        }
        return validator.check((MemoryRecords) partition.records(), version);
    }

    private CompletableFuture<PartitionProduceResponse> append(String topic, PartitionProduceData partition, short acks,
                                                               int timeoutMs) {
        MemoryRecords records = (MemoryRecords) partition.records();
        return broker.produce(topic, partition.index(), records.buffer().duplicate(), acks, timeoutMs)
                .thenApply(outcome -> appended(partition.index(), outcome));
    }

    private static PartitionProduceResponse appended(int index, ProduceOutcome outcome) {
        if (outcome.errorCode() != ErrorCodes.NONE) {
            return refused(index, new Rejection(outcome.errorCode(), outcome.message()));
        }
        return new PartitionProduceResponse()
                .setIndex(index)
                .setErrorCode(ErrorCodes.NONE)
                .setBaseOffset(outcome.baseOffset())
                .setLogAppendTimeMs(outcome.logAppendTimeMs())
                .setLogStartOffset(outcome.logStartOffset());
    }

    private static PartitionProduceResponse refused(int index, Rejection rejection) {
        return new PartitionProduceResponse()
                .setIndex(index)
                .setErrorCode(rejection.errorCode())
                .setErrorMessage(rejection.message())
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
    }

    private static void closeOnFailure(RequestContext context, List<CompletableFuture<PartitionProduceResponse>> all) {
        for (CompletableFuture<PartitionProduceResponse> response : all) {
            response.thenAccept(partition -> {
                if (partition.errorCode() != ErrorCodes.NONE) {
                    context.closeConnection("acks=0 produce failed with error " + partition.errorCode() + ": "
                            + partition.errorMessage());
                }
            });
        }
    }

    private static ProduceResponseData response(List<TopicResult> topics) {
        TopicProduceResponseCollection collection = new TopicProduceResponseCollection();
        for (TopicResult topic : topics) {
            List<PartitionProduceResponse> partitions = new ArrayList<>();
            topic.partitions.forEach(partition -> partitions.add(partition.join()));
            collection.add(new TopicProduceResponse().setName(topic.name).setPartitionResponses(partitions));
        }
        return new ProduceResponseData().setThrottleTimeMs(0).setResponses(collection);
    }

    private static final class TopicResult {
        final String name;
        final List<CompletableFuture<PartitionProduceResponse>> partitions = new ArrayList<>();

        TopicResult(String name) {
            this.name = name;
        }
    }
}
