package io.rlog.kafka.txn;

import io.rlog.broker.GroupCoordinator.Partition;
import io.rlog.broker.TransactionCoordinator;
import io.rlog.kafka.api.ApiHandler;
import io.rlog.kafka.api.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResultCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/** AddPartitionsToTxn v0-v3, the client's versions: one transactional id, an error per partition. */
final class AddPartitionsToTxnHandler implements ApiHandler {
    private final TransactionCoordinator txns;

    AddPartitionsToTxnHandler(TransactionCoordinator txns) {
        this.txns = txns;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ADD_PARTITIONS_TO_TXN;
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
        AddPartitionsToTxnRequestData data = (AddPartitionsToTxnRequestData) request;
        List<Partition> partitions = new ArrayList<>();
        for (AddPartitionsToTxnTopic topic : data.v3AndBelowTopics()) {
            for (int p : topic.partitions()) {
                partitions.add(new Partition(topic.name(), p));
            }
        }
        short version = context.apiVersion();
        return txns.addPartitions(data.v3AndBelowTransactionalId(), data.v3AndBelowProducerId(),
                data.v3AndBelowProducerEpoch(), partitions).thenApply(errors -> {
                    Map<String, AddPartitionsToTxnPartitionResultCollection> byTopic = new LinkedHashMap<>();
                    errors.forEach((p, code) -> byTopic.computeIfAbsent(p.topic(),
                            t -> new AddPartitionsToTxnPartitionResultCollection()).add(
                            new AddPartitionsToTxnPartitionResult().setPartitionIndex(p.partition())
                                    .setPartitionErrorCode(TxnApis.forVersion(code, version, 2))));
                    AddPartitionsToTxnTopicResultCollection topics = new AddPartitionsToTxnTopicResultCollection();
                    byTopic.forEach((t, results) -> topics.add(new AddPartitionsToTxnTopicResult().setName(t)
                            .setResultsByPartition(results)));
                    return new AddPartitionsToTxnResponseData().setThrottleTimeMs(0).setResultsByTopicV3AndBelow(topics);
                });
    }
}
