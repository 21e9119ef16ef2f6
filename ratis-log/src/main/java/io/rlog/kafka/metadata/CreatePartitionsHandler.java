package io.rlog.kafka.metadata;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.TopicOutcome;
import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * CreatePartitions v0-v3: grows topics. Manual assignments are refused (as in CreateTopics: rlog places replicas);
 * a repeated topic in one request is INVALID_REQUEST, as in Kafka.
 */
public final class CreatePartitionsHandler implements ApiHandler {
    private final Broker broker;
    private final ListenerConfig config;

    public CreatePartitionsHandler(Broker broker, ListenerConfig config) {
        this.broker = broker;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        CreatePartitionsRequestData data = (CreatePartitionsRequestData) request;
        int timeoutMs = config.clampRequestTimeoutMs(data.timeoutMs());
        Map<String, Integer> counts = new LinkedHashMap<>();
        data.topics().forEach(t -> counts.merge(t.name(), 1, Integer::sum));
        Map<String, CompletableFuture<CreatePartitionsTopicResult>> results = new LinkedHashMap<>();
        for (CreatePartitionsTopic t : data.topics()) {
            if (results.containsKey(t.name())) {
                continue;
            }
            CompletableFuture<CreatePartitionsTopicResult> result;
            if (counts.get(t.name()) > 1) {
                result = done(error(t.name(), ErrorCodes.INVALID_REQUEST, "Duplicate topic in request."));
            } else if (t.assignments() != null && !t.assignments().isEmpty()) {
                result = done(error(t.name(), ErrorCodes.INVALID_REQUEST,
                        "Manual replica assignment is not supported by rlog; give only the new count"));
            } else {
                result = broker.createPartitions(t.name(), t.count(), data.validateOnly(), timeoutMs)
                        .thenApply(o -> result(t.name(), o));
            }
            results.put(t.name(), result);
        }
        return CompletableFuture.allOf(results.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<CreatePartitionsTopicResult> out = new ArrayList<>();
            results.values().forEach(r -> out.add(r.join()));
            return new CreatePartitionsResponseData().setThrottleTimeMs(0).setResults(out);
        });
    }

    private static CreatePartitionsTopicResult result(String name, TopicOutcome o) {
        return o.errorCode() == ErrorCodes.NONE ? new CreatePartitionsTopicResult().setName(name)
                .setErrorCode(ErrorCodes.NONE).setErrorMessage(null) : error(name, o.errorCode(), o.message());
    }

    private static CreatePartitionsTopicResult error(String name, short code, String message) {
        return new CreatePartitionsTopicResult().setName(name).setErrorCode(code).setErrorMessage(message);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
