package io.rlog.kafka.produce;

import io.rlog.broker.Broker;
import io.rlog.broker.ErrorCodes;
import io.rlog.broker.TransactionCoordinator;
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
 * InitProducerId v0-v5. Idempotent producers (no transactional id): like Kafka, every call gets a fresh producer id
 * with epoch 0, also when the client asks to bump the epoch of its current id (KIP-360 allows it). Transactional
 * producers: the transaction coordinator of the id answers (its producer id, a new epoch), on the node that
 * coordinates it; a listener without a coordinator refuses them.
 */
public final class InitProducerIdHandler implements ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(InitProducerIdHandler.class);

    private final Broker broker;
    private final TransactionCoordinator txns;

    public InitProducerIdHandler(Broker broker) {
        this(broker, null);
    }

    /** {@code txns}: the node's transaction coordinator; null refuses transactional producers. */
    public InitProducerIdHandler(Broker broker, TransactionCoordinator txns) {
        this.broker = broker;
        this.txns = txns;
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
        if (data.transactionalId() != null && txns != null) {
            short version = context.apiVersion();
            boolean ownId = version >= 3;
            return txns.initProducerId(data.transactionalId(), data.transactionTimeoutMs(),
                    ownId ? data.producerId() : -1L, ownId ? data.producerEpoch() : (short) -1).thenApply(o -> {
                        short code = o.errorCode() == ErrorCodes.PRODUCER_FENCED && version < 4
                                ? ErrorCodes.INVALID_PRODUCER_EPOCH : o.errorCode();
                        return new InitProducerIdResponseData().setThrottleTimeMs(0).setErrorCode(code)
                                .setProducerId(code == ErrorCodes.NONE ? o.producerId() : -1)
                                .setProducerEpoch(code == ErrorCodes.NONE ? o.producerEpoch() : (short) -1);
                    });
        }
        if (data.transactionalId() != null) {
            // The response has no message field: say it in the log, where an operator looks for the cause.
            log.info("Refusing transactional producer {} from {}: this listener has no transaction coordinator",
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
