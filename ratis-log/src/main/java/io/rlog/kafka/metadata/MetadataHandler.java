package io.rlog.kafka.metadata;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.ClusterView;
import io.rlog.broker.Broker.Node;
import io.rlog.broker.Broker.PartitionView;
import io.rlog.broker.Broker.TopicSpec;
import io.rlog.broker.Broker.TopicView;
import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import io.rlog.kafka.api.TopicNames;
import io.rlog.kafka.api.Uuids;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopicCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metadata v4-v12 from the node's local view of the cluster. Unknown topics may be auto-created as in Kafka: the
 * creation is started and the topic answered with LEADER_NOT_AVAILABLE, which clients retry.
 */
public final class MetadataHandler implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(MetadataHandler.class);

    private final Broker broker;
    private final ListenerConfig config;
    private final IntSupplier boundPort;

    /** {@code boundPort}: the listener's port, advertised for this node (it may be ephemeral). */
    public MetadataHandler(Broker broker, ListenerConfig config, IntSupplier boundPort) {
        this.broker = broker;
        this.config = config;
        this.boundPort = boundPort;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public short minVersion() {
        return 4;
    }

    @Override
    public short maxVersion() {
        return 12;
    }

    /**
     * Answers from this node's view of the cluster at this moment. When the request names topics that all exist and
     * one of their partitions has no leader here (its replica here lost the leader and an election is under way, or
     * the leader's process is known to be gone), the answer waits for this node to learn of a new leader, up to
     * {@code metadataLeaderWaitMs}, and is then built afresh. Answered with no leader, a client backs off (100 ms,
     * then longer for each answer that shows no progress) before it asks again; an election here takes a few hundred
     * milliseconds, and the client that waits for its outcome sends its retries to the new leader as soon as it is
     * known. A request for every topic (an administrator's listing) is answered at once.
     */
    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        MetadataRequestData data = (MetadataRequestData) request;
        long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.metadataLeaderWaitMs());
        // The change to wait for is taken before the look, so that a leader learned between the two is not missed.
        CompletableFuture<Void> change = broker.nextClusterChange();
        MetadataResponseData response = respond(data, context, data.allowAutoTopicCreation());
        return answerOnceLed(data, context, response, change, deadlineNanos);
    }

    private CompletableFuture<ApiMessage> answerOnceLed(MetadataRequestData data, RequestContext context,
                                                        MetadataResponseData response, CompletableFuture<Void> change,
                                                        long deadlineNanos) {
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (change == null || remainingNanos <= 0 || data.topics() == null || !awaitsLeader(response)) {
            return CompletableFuture.completedFuture(response);
        }
        // A copy: the change future is shared by every waiter, and the timeout must end only this wait. The answer
        // is rebuilt off the thread that announced the change (a Raft thread that must not walk every partition).
        return change.copy()
                .completeOnTimeout(null, remainingNanos, TimeUnit.NANOSECONDS)
                .thenComposeAsync(ignored -> {
                    CompletableFuture<Void> next = broker.nextClusterChange();
                    // No topic is created twice: the first look created what was missing, and only an answer in
                    // which every named topic exists waits.
                    return answerOnceLed(data, context, respond(data, context, false), next, deadlineNanos);
                });
    }

    /** Every named topic was found, and one of its partitions has no leader. */
    private static boolean awaitsLeader(MetadataResponseData response) {
        boolean leaderless = false;
        for (MetadataResponseTopic topic : response.topics()) {
            if (topic.errorCode() != ErrorCodes.NONE) {
                return false;
            }
            for (MetadataResponsePartition partition : topic.partitions()) {
                leaderless |= partition.leaderId() < 0;
            }
        }
        return leaderless;
    }

    private MetadataResponseData respond(MetadataRequestData data, RequestContext context, boolean allowAutoCreate) {
        ClusterView view = broker.clusterNow();
        MetadataResponseTopicCollection topics = new MetadataResponseTopicCollection();
        if (data.topics() == null) {
            view.topics().values().stream()
                    .sorted(Comparator.comparing(TopicView::name))
                    .forEach(topic -> topics.add(describe(topic, view)));
        } else {
            Set<String> seen = new HashSet<>();
            for (MetadataRequestTopic requested : data.topics()) {
                MetadataResponseTopic answer = answer(requested, allowAutoCreate, view, context);
                if (answer.name() == null || seen.add(answer.name())) {
                    topics.add(answer);
                }
            }
        }
        return new MetadataResponseData()
                .setThrottleTimeMs(0)
                .setBrokers(brokers(view))
                .setClusterId(view.clusterId())
                .setControllerId(view.controllerId())
                .setTopics(topics);
    }

    private MetadataResponseTopic answer(MetadataRequestTopic requested, boolean allowAutoCreate, ClusterView view,
                                         RequestContext context) {
        String name = requested.name();
        if (name == null || name.isEmpty()) {
            return byId(requested.topicId(), view, context.apiVersion());
        }
        TopicView topic = view.topics().get(name);
        if (topic != null) {
            return describe(topic, view);
        }
        MetadataResponseTopic missing = new MetadataResponseTopic().setName(name).setPartitions(new ArrayList<>());
        if (!TopicNames.isValid(name)) {
            return missing.setErrorCode(ErrorCodes.INVALID_TOPIC_EXCEPTION);
        }
        if (allowAutoCreate && config.autoCreateTopicsEnable()) {
            autoCreate(name, context);
            return missing.setErrorCode(ErrorCodes.LEADER_NOT_AVAILABLE);
        }
        return missing.setErrorCode(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
    }

    private static MetadataResponseTopic byId(Uuid id, ClusterView view, short version) {
        for (TopicView topic : view.topics().values()) {
            if (Uuids.toKafka(topic.id()).equals(id) && !Uuid.ZERO_UUID.equals(id)) {
                return describe(topic, view);
            }
        }
        // From v12 on an unknown id is answered with a null name; before, names are not nullable.
        return new MetadataResponseTopic()
                .setName(version >= 12 ? null : "")
                .setTopicId(id)
                .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                .setPartitions(new ArrayList<>());
    }

    private void autoCreate(String name, RequestContext context) {
        TopicSpec spec = new TopicSpec(name, config.numPartitions(), config.defaultReplicationFactor(), Map.of());
        log.info("Auto-creating topic {} for {} ({})", name, context.connectionName(), context.clientId());
        broker.createTopic(spec, false, config.requestTimeoutMsMax()).whenComplete((outcome, error) -> {
            if (error != null) {
                log.warn("Auto-creating topic {} failed", name, error);
            } else if (outcome.errorCode() != ErrorCodes.NONE && outcome.errorCode() != ErrorCodes.TOPIC_ALREADY_EXISTS) {
                log.warn("Auto-creating topic {} failed: {} {}", name, outcome.errorCode(), outcome.message());
            }
        });
    }

    private static MetadataResponseTopic describe(TopicView topic, ClusterView view) {
        Set<Integer> nodeIds = new HashSet<>();
        view.nodes().forEach(node -> nodeIds.add(node.id()));
        List<MetadataResponsePartition> partitions = new ArrayList<>();
        topic.partitions().stream()
                .sorted(Comparator.comparingInt(PartitionView::partition))
                .forEach(partition -> partitions.add(describe(partition, nodeIds)));
        return new MetadataResponseTopic()
                .setErrorCode(ErrorCodes.NONE)
                .setName(topic.name())
                .setTopicId(Uuids.toKafka(topic.id()))
                .setIsInternal(topic.internal())
                .setPartitions(partitions);
    }

    private static MetadataResponsePartition describe(PartitionView partition, Set<Integer> nodeIds) {
        List<Integer> offline = new ArrayList<>();
        for (int replica : partition.replicas()) {
            if (!nodeIds.contains(replica)) {
                offline.add(replica); // a replica on a node the cluster no longer lists
            }
        }
        return new MetadataResponsePartition()
                .setErrorCode(partition.leaderId() < 0 ? ErrorCodes.LEADER_NOT_AVAILABLE : ErrorCodes.NONE)
                .setPartitionIndex(partition.partition())
                .setLeaderId(partition.leaderId())
                .setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(partition.replicas()))
                .setIsrNodes(new ArrayList<>(partition.isr()))
                .setOfflineReplicas(offline);
    }

    private MetadataResponseBrokerCollection brokers(ClusterView view) {
        MetadataResponseBrokerCollection brokers = new MetadataResponseBrokerCollection();
        for (Node node : view.nodes()) {
            String host = node.host();
            int port = node.port();
            if (node.id() == broker.nodeId()) {
                // This node is where the client is connected: advertise the host it was told to and the port it
                // really listens on (which differs from the configured one when bound to port 0).
                host = config.advertisedHost() != null ? config.advertisedHost() : host;
                port = boundPort.getAsInt() > 0 ? boundPort.getAsInt() : port;
            }
            brokers.add(new MetadataResponseBroker().setNodeId(node.id()).setHost(host).setPort(port).setRack(null));
        }
        return brokers;
    }
}
