package io.rlog.kafka.txn;

import io.rlog.broker.TransactionCoordinator;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** EndTxn v0-v4: commit or abort; answered once every partition of the transaction has its marker. */
final class EndTxnHandler implements ApiHandler {
    private final TransactionCoordinator txns;

    EndTxnHandler(TransactionCoordinator txns) {
        this.txns = txns;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.END_TXN;
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
        EndTxnRequestData data = (EndTxnRequestData) request;
        short version = context.apiVersion();
        return txns.endTxn(data.transactionalId(), data.producerId(), data.producerEpoch(), data.committed())
                .thenApply(code -> new EndTxnResponseData().setThrottleTimeMs(0)
                        .setErrorCode(TxnApis.forVersion(code, version, 2)));
    }
}
