package io.rlog.kafka.produce;

import io.rlog.broker.Broker;
import io.rlog.broker.ErrorCodes;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * InitProducerId v0-v5 for idempotent producers. Like Kafka for a null transactional id, every call gets a fresh
 * producer id with epoch 0, also when the client asks to bump the epoch of its current id (KIP-360 allows it).
 */
public final class InitProducerIdHandler implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(InitProducerIdHandler.class);

    private final Broker broker;

    public InitProducerIdHandler(Broker broker) {
        this.broker = broker;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INIT_PRODUCER_ID;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 5;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        InitProducerIdRequestData data = (InitProducerIdRequestData) request;
        if (data.transactionalId() != null) {
            // The response has no message field: say it in the log, where an operator looks for the cause.
            log.info("Refusing transactional producer {} from {}: rlog does not support transactions",
                    data.transactionalId(), context.connectionName());
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(ErrorCodes.INVALID_REQUEST)
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1));
        }
        return broker.initProducerId().thenApply(outcome -> new InitProducerIdResponseData()
                .setThrottleTimeMs(0)
                .setErrorCode(outcome.errorCode())
                .setProducerId(outcome.errorCode() == ErrorCodes.NONE ? outcome.producerId() : -1)
                .setProducerEpoch(outcome.errorCode() == ErrorCodes.NONE ? outcome.producerEpoch() : -1));
    }
}
