package io.rlog.kafka.metadata;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.ClusterView;
import io.rlog.broker.Broker.TopicOutcome;
import io.rlog.broker.Broker.TopicSpec;
import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import io.rlog.kafka.api.TopicNames;
import io.rlog.kafka.api.Uuids;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * CreateTopics v4-v7. The checks a client can get wrong are made here with Kafka's wording; the broker decides the
 * rest (configs, races with a concurrent create) and its outcome is passed through.
 */
public final class CreateTopicsHandler implements ApiHandler {
    private final Broker broker;
    private final ListenerConfig config;

    public CreateTopicsHandler(Broker broker, ListenerConfig config) {
        this.broker = broker;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 4;
    }

    @Override
    public short maxVersion() {
        return 7;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        CreateTopicsRequestData data = (CreateTopicsRequestData) request;
        ClusterView view = broker.cluster();
        int timeoutMs = config.clampRequestTimeoutMs(data.timeoutMs());
        Map<String, Integer> counts = new HashMap<>();
        data.topics().forEach(topic -> counts.merge(topic.name(), 1, Integer::sum));
        // Keyed by name in request order; duplicates collapse into one INVALID_REQUEST answer, as in Kafka.
        Map<String, CompletableFuture<CreatableTopicResult>> results = new LinkedHashMap<>();
        for (CreatableTopic topic : data.topics()) {
            if (results.containsKey(topic.name())) {
                continue;
            }
            CompletableFuture<CreatableTopicResult> result;
            if (counts.get(topic.name()) > 1) {
                result = CompletableFuture.completedFuture(error(topic.name(), ErrorCodes.INVALID_REQUEST,
                        "Create topics request from client `" + context.clientId()
                                + "` contains multiple entries for the topic " + topic.name()));
            } else {
                result = create(topic, data.validateOnly(), timeoutMs, view);
            }
            results.put(topic.name(), result);
        }
        return CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            CreatableTopicResultCollection collection = new CreatableTopicResultCollection();
            results.values().forEach(result -> collection.add(result.join()));
            return new CreateTopicsResponseData().setThrottleTimeMs(0).setTopics(collection);
        });
    }

    private CompletableFuture<CreatableTopicResult> create(CreatableTopic topic, boolean validateOnly, int timeoutMs,
                                                           ClusterView view) {
        String invalid = TopicNames.invalidReason(topic.name());
        if (invalid != null) {
            return done(error(topic.name(), ErrorCodes.INVALID_TOPIC_EXCEPTION, invalid));
        }
        if (!topic.assignments().isEmpty()) {
            return done(error(topic.name(), ErrorCodes.INVALID_REQUEST,
                    "Manual replica assignment is not supported by rlog; give partitions and replication factor"));
        }
        int partitions = topic.numPartitions() == -1 ? config.numPartitions() : topic.numPartitions();
        if (partitions <= 0) {
            return done(error(topic.name(), ErrorCodes.INVALID_PARTITIONS,
                    "Number of partitions must be larger than 0, or -1 for the default."));
        }
        short replicationFactor = topic.replicationFactor() == -1
                ? config.defaultReplicationFactor() : topic.replicationFactor();
        if (replicationFactor <= 0) {
            return done(error(topic.name(), ErrorCodes.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0, or -1 for the default."));
        }
        if (replicationFactor > view.nodes().size()) {
            return done(error(topic.name(), ErrorCodes.INVALID_REPLICATION_FACTOR, "Unable to replicate the "
                    + "partition " + replicationFactor + " time(s): the cluster has only " + view.nodes().size()
                    + " node(s)."));
        }
        if (view.topics().containsKey(topic.name())) {
            return done(error(topic.name(), ErrorCodes.TOPIC_ALREADY_EXISTS,
                    "Topic '" + topic.name() + "' already exists."));
        }
        Map<String, String> configs = new LinkedHashMap<>();
        for (CreatableTopicConfig entry : topic.configs()) {
            configs.put(entry.name(), entry.value());
        }
        TopicSpec spec = new TopicSpec(topic.name(), partitions, replicationFactor, configs);
        return broker.createTopic(spec, validateOnly, timeoutMs)
                .thenApply(outcome -> result(spec, outcome, validateOnly));
    }

    private CreatableTopicResult result(TopicSpec spec, TopicOutcome outcome, boolean validateOnly) {
        if (outcome.errorCode() != ErrorCodes.NONE) {
            return error(spec.name(), outcome.errorCode(), outcome.message());
        }
        // After a real create, the configs are the ones the topic runs with; a validation has only the request's.
        Map<String, String> effective = validateOnly ? spec.configs() : broker.topicConfigs(spec.name());
        List<CreatableTopicConfigs> configs = new ArrayList<>();
        effective.forEach((name, value) -> configs.add(new CreatableTopicConfigs()
                .setName(name)
                .setValue(value)
                .setReadOnly(false)
                .setConfigSource(spec.configs().containsKey(name)
                        ? ConfigSources.DYNAMIC_TOPIC_CONFIG : ConfigSources.DEFAULT_CONFIG)
                .setIsSensitive(false)));
        return new CreatableTopicResult()
                .setName(spec.name())
                .setTopicId(Uuids.toKafka(outcome.topicId()))
                .setErrorCode(ErrorCodes.NONE)
                .setNumPartitions(outcome.partitions() > 0 ? outcome.partitions() : spec.partitions())
                .setReplicationFactor(outcome.replicationFactor() > 0
                        ? outcome.replicationFactor() : spec.replicationFactor())
                .setConfigs(configs);
    }

    private static CreatableTopicResult error(String name, short errorCode, String message) {
        // Kafka answers failed entries with -1 partitions and replication factor and no configs.
        return new CreatableTopicResult()
                .setName(name)
                .setErrorCode(errorCode)
                .setErrorMessage(message)
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1)
                .setConfigs(null);
    }

    private static CompletableFuture<CreatableTopicResult> done(CreatableTopicResult result) {
        return CompletableFuture.completedFuture(result);
    }
}
