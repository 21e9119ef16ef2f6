package io.rlog.kafka.metadata;

import io.rlog.broker.Broker;
import io.rlog.broker.Broker.ClusterView;
import io.rlog.broker.Broker.TopicView;
import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.ListenerConfig;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import io.rlog.kafka.api.Uuids;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/** DeleteTopics v1-v6: by name, or from v6 by topic id (resolved to a name in the local cluster view). */
public final class DeleteTopicsHandler implements ApiHandler {
    private final Broker broker;
    private final ListenerConfig config;

    public DeleteTopicsHandler(Broker broker, ListenerConfig config) {
        this.broker = broker;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        DeleteTopicsRequestData data = (DeleteTopicsRequestData) request;
        int timeoutMs = config.clampRequestTimeoutMs(data.timeoutMs());
        ClusterView view = broker.cluster();
        List<DeleteTopicState> targets = new ArrayList<>();
        if (context.apiVersion() >= 6) {
            targets.addAll(data.topics());
        } else {
            data.topicNames().forEach(name -> targets.add(new DeleteTopicState().setName(name)));
        }
        Set<String> seen = new HashSet<>();
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        for (DeleteTopicState target : targets) {
            results.add(delete(target, view, timeoutMs, seen));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DeletableTopicResultCollection collection = new DeletableTopicResultCollection();
            results.forEach(result -> collection.add(result.join()));
            return new DeleteTopicsResponseData().setThrottleTimeMs(0).setResponses(collection);
        });
    }

    private CompletableFuture<DeletableTopicResult> delete(DeleteTopicState target, ClusterView view, int timeoutMs,
                                                           Set<String> seen) {
        String name = target.name();
        Uuid id = target.topicId() == null ? Uuid.ZERO_UUID : target.topicId();
        if (name == null) {
            TopicView topic = findById(view, id);
            if (topic == null) {
                return done(new DeletableTopicResult().setName(null).setTopicId(id)
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                        .setErrorMessage("No topic with id " + id));
            }
            name = topic.name();
        }
        TopicView known = view.topics().get(name);
        Uuid answeredId = known == null ? id : Uuids.toKafka(known.id());
        DeletableTopicResult result = new DeletableTopicResult().setName(name).setTopicId(answeredId);
        if (!seen.add(name)) {
            return done(result.setErrorCode(ErrorCodes.INVALID_REQUEST)
                    .setErrorMessage("Duplicate topic " + name + " in the request"));
        }
        return broker.deleteTopic(name, timeoutMs).thenApply(outcome -> result
                .setErrorCode(outcome.errorCode())
                .setErrorMessage(outcome.errorCode() == ErrorCodes.NONE ? null : outcome.message()));
    }

    private static TopicView findById(ClusterView view, Uuid id) {
        if (Uuid.ZERO_UUID.equals(id)) {
            return null;
        }
        for (TopicView topic : view.topics().values()) {
            if (Uuids.toKafka(topic.id()).equals(id)) {
                return topic;
            }
        }
        return null;
    }

    private static CompletableFuture<DeletableTopicResult> done(DeletableTopicResult result) {
        return CompletableFuture.completedFuture(result);
    }
}
