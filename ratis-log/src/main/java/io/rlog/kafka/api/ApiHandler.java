package io.rlog.kafka.api;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Serves one Kafka API. The listener keeps a table of these keyed by API key; adding an API (the consumer-group
 * APIs, say) is adding a handler to that table.
 *
 * <p>Contract: {@link #handle} runs on a network thread and must not block (the {@link io.rlog.broker.Broker}
 * methods it calls are non-blocking). It is called in request order for one connection, so calls into the broker
 * from one connection happen in the order the client sent them.
 */
public interface ApiHandler {

    ApiKeys apiKey();

    /** Lowest version advertised in ApiVersions. */
    short minVersion();

    /** Highest version advertised in ApiVersions; it must be one this handler fills every field of. */
    short maxVersion();

    /**
     * Lowest version actually served. Below it (but at or above {@link #minVersion()}) the connection is closed, as
     * Kafka 4 does for Produce v0-v2, which it advertises only so that librdkafka's range check passes.
     */
    default short minAcceptedVersion() {
        return minVersion();
    }

    /**
     * Completes with the response body for {@code context.apiVersion()}, or with null when the request gets no
     * response at all (produce with acks=0). Completes exceptionally only for a programmer error: the listener then
     * closes the connection.
     */
    CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request);
}
