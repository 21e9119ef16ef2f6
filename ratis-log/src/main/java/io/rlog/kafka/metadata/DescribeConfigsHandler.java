package io.rlog.kafka.metadata;

import io.rlog.broker.Broker;
import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import io.rlog.kafka.api.TopicNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * DescribeConfigs v1-v4: a topic's configs from the broker, and for this node the listener limits that clients
 * can run into (read-only). Enough for {@code kafka-topics --describe} and {@code kafka-configs --describe}.
 */
public final class DescribeConfigsHandler implements ApiHandler {
    private final Broker broker;
    private final ListenerConfig config;

    public DescribeConfigsHandler(Broker broker, ListenerConfig config) {
        this.broker = broker;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        DescribeConfigsRequestData data = (DescribeConfigsRequestData) request;
        List<DescribeConfigsResult> results = new ArrayList<>();
        for (DescribeConfigsResource resource : data.resources()) {
            results.add(describe(resource));
        }
        return CompletableFuture.completedFuture(new DescribeConfigsResponseData().setThrottleTimeMs(0).setResults(results));
    }

    private DescribeConfigsResult describe(DescribeConfigsResource resource) {
        DescribeConfigsResult result = new DescribeConfigsResult()
                .setErrorMessage(null)
                .setResourceType(resource.resourceType())
                .setResourceName(resource.resourceName())
                .setConfigs(new ArrayList<>());
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        if (type == ConfigResource.Type.TOPIC) {
            String name = resource.resourceName();
            String invalid = TopicNames.invalidReason(name);
            if (invalid != null) {
                return result.setErrorCode(ErrorCodes.INVALID_TOPIC_EXCEPTION).setErrorMessage(invalid);
            }
            if (!broker.cluster().topics().containsKey(name)) {
                return result.setErrorCode(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION)
                        .setErrorMessage("Topic " + name + " does not exist");
            }
            return result.setErrorCode(ErrorCodes.NONE)
                    .setConfigs(entries(broker.topicConfigs(name), resource.configurationKeys(),
                            ConfigSources.DYNAMIC_TOPIC_CONFIG, false));
        }
        if (type == ConfigResource.Type.BROKER) {
            String name = resource.resourceName();
            if (!name.isEmpty() && !name.equals(Integer.toString(broker.nodeId()))) {
                // Clients send a broker's configs request to that broker; anything else is a misrouted request.
                return result.setErrorCode(ErrorCodes.INVALID_REQUEST)
                        .setErrorMessage("This is node " + broker.nodeId() + ", not " + name);
            }
            return result.setErrorCode(ErrorCodes.NONE).setConfigs(
                    entries(listenerConfigs(), resource.configurationKeys(), ConfigSources.STATIC_BROKER_CONFIG, true));
        }
        return result.setErrorCode(ErrorCodes.INVALID_REQUEST)
                .setErrorMessage("rlog does not describe configs of resource type " + type);
    }

    private Map<String, String> listenerConfigs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("auto.create.topics.enable", Boolean.toString(config.autoCreateTopicsEnable()));
        configs.put("default.replication.factor", Short.toString(config.defaultReplicationFactor()));
        configs.put("message.max.bytes", Integer.toString(config.messageMaxBytes()));
        configs.put("num.partitions", Integer.toString(config.numPartitions()));
        configs.put("socket.request.max.bytes", Integer.toString(config.socketRequestMaxBytes()));
        return configs;
    }

    /** {@code keys}: null means all, as in the protocol. */
    private static List<DescribeConfigsResourceResult> entries(Map<String, String> configs, List<String> keys,
                                                               byte source, boolean readOnly) {
        List<DescribeConfigsResourceResult> entries = new ArrayList<>();
        configs.forEach((name, value) -> {
            if (keys == null || keys.contains(name)) {
                entries.add(new DescribeConfigsResourceResult()
                        .setName(name)
                        .setValue(value)
                        .setReadOnly(readOnly)
                        .setConfigSource(source)
                        .setIsSensitive(false)
                        .setSynonyms(new ArrayList<>()));
            }
        });
        return entries;
    }
}
