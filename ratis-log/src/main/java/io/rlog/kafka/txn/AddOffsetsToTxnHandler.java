package io.rlog.kafka.txn;

import io.rlog.broker.TransactionCoordinator;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** AddOffsetsToTxn v0-v4: the group's offsets partition joins the transaction (sendOffsetsToTransaction). */
final class AddOffsetsToTxnHandler implements ApiHandler {
    private final TransactionCoordinator txns;

    AddOffsetsToTxnHandler(TransactionCoordinator txns) {
        this.txns = txns;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_OFFSETS_TO_TXN;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiMessage request) {
        AddOffsetsToTxnRequestData data = (AddOffsetsToTxnRequestData) request;
        short version = context.apiVersion();
        return txns.addOffsets(data.transactionalId(), data.producerId(), data.producerEpoch(), data.groupId())
                .thenApply(code -> new AddOffsetsToTxnResponseData().setThrottleTimeMs(0)
                        .setErrorCode(TxnApis.forVersion(code, version, 2)));
    }
}
