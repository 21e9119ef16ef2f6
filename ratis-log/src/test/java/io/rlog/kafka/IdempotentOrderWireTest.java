package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.broker.ErrorCodes;
import io.rlog.node.InJvmCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An idempotent producer's batches reach the log in sequence order even when a later batch arrives first, on a
 * real node (Ratis, RocksDB, sockets). A chaos run once saw the later batch written ahead of earlier ones that were
 * still being retried after a partition healed: the partition did not know the producer and took any sequence.
 */
class IdempotentOrderWireTest {
    private static final String TOPIC = "ordered";

    private static PartitionProduceResponse produce(WireClient client, MemoryRecords records) throws Exception {
        ProduceResponseData response = client.call(ApiKeys.PRODUCE, (short) 12,
                Requests.produce(TOPIC, 0, (short) -1, records));
        return response.responses().iterator().next().partitionResponses().get(0);
    }

    @Test
    void aLaterBatchOfAProducerThePartitionDoesNotKnowWaitsForTheEarlierOnes(@TempDir Path dir) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 1, Map.of());
             WireClient client = new WireClient(cluster.node(1).kafkaPort())) {
            CreateTopicsResponseData created = client.call(ApiKeys.CREATE_TOPICS, (short) 7,
                    Requests.createTopic(TOPIC, 1, (short) 1));
            assertEquals(ErrorCodes.NONE, created.topics().find(TOPIC).errorCode());
            InJvmCluster.await("a leader for " + TOPIC + "-0", 30_000, () -> {
                try {
                    MetadataResponseData metadata = client.call(ApiKeys.METADATA, (short) 12,
                            Requests.metadata(false, TOPIC));
                    return metadata.topics().find(TOPIC).partitions().get(0).leaderId() == 1;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            InitProducerIdResponseData id = client.call(ApiKeys.INIT_PRODUCER_ID, (short) 5, Requests.initProducerId());
            assertEquals(ErrorCodes.NONE, id.errorCode());
            long pid = id.producerId();
            short epoch = id.producerEpoch();

            // Sequences 0-2 have not arrived (failed, or still retried); 3-4 must not be written ahead of them.
            PartitionProduceResponse ahead = produce(client, Requests.idempotentBatch(pid, epoch, 3, "d", "e"));
            assertEquals(ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER, ahead.errorCode());
            assertTrue(ahead.errorMessage().contains("must start at sequence 0, got 3"), ahead.errorMessage());

            PartitionProduceResponse first = produce(client, Requests.idempotentBatch(pid, epoch, 0, "a", "b", "c"));
            assertEquals(ErrorCodes.NONE, first.errorCode());
            assertEquals(0, first.baseOffset());
            PartitionProduceResponse retried = produce(client, Requests.idempotentBatch(pid, epoch, 3, "d", "e"));
            assertEquals(ErrorCodes.NONE, retried.errorCode());
            assertEquals(3, retried.baseOffset());

            FetchResponseData fetch = client.call(ApiKeys.FETCH, (short) 12, Requests.fetch(TOPIC, 0, 0, 0, 0));
            FetchResponseData.PartitionData partition = fetch.responses().get(0).partitions().get(0);
            assertEquals(5, partition.highWatermark());
            List<String> values = new ArrayList<>();
            ((MemoryRecords) partition.records()).records().forEach(
                    r -> values.add(StandardCharsets.UTF_8.decode(r.value()).toString()));
            assertEquals(List.of("a", "b", "c", "d", "e"), values);
        }
    }
}
