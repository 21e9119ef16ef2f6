package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.broker.ErrorCodes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

/** Produce, fetch and list-offsets rules over raw sockets: what is refused appends nothing. */
class ProduceFetchWireTest extends ListenerFixture {

    private PartitionProduceResponse produce(WireClient client, ProduceRequestData request) throws Exception {
        ProduceResponseData response = client.call(ApiKeys.PRODUCE, (short) 12, request);
        return response.responses().iterator().next().partitionResponses().get(0);
    }

    @Test
    void corruptedCrcGetsCorruptMessageAndNothingIsAppended() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 1, Map.of());
        MemoryRecords records = Requests.batch("one", "two");
        ByteBuffer buffer = records.buffer();
        int last = buffer.limit() - 1;
        buffer.put(last, (byte) (buffer.get(last) ^ 0x01));

        PartitionProduceResponse answer = produce(client, Requests.produce("t", 0, (short) -1, records));
        assertEquals(ErrorCodes.CORRUPT_MESSAGE, answer.errorCode());
        assertEquals(0, broker.produceCalls.get());
        assertEquals(0, broker.logEndOffset("t", 0));
    }

    @Test
    void batchAboveMessageMaxBytesGetsMessageTooLargeAndNothingIsAppended() throws Exception {
        WireClient client = connect(start(testConfig().withMessageMaxBytes(1024)));
        broker.createNow("t", 1, Map.of());
        PartitionProduceResponse answer = produce(client,
                Requests.produce("t", 0, (short) 1, Requests.batch("x".repeat(2000))));
        assertEquals(ErrorCodes.MESSAGE_TOO_LARGE, answer.errorCode());
        assertEquals(0, broker.produceCalls.get());

        PartitionProduceResponse small = produce(client, Requests.produce("t", 0, (short) 1, Requests.batch("ok")));
        assertEquals(ErrorCodes.NONE, small.errorCode());
        assertEquals(0, small.baseOffset());
    }

    @Test
    void produceToAnUnknownTopicGetsUnknownTopicOrPartition() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 1, Map.of());
        assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
                produce(client, Requests.produce("nope", 0, (short) 1, Requests.batch("x"))).errorCode());
        assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION,
                produce(client, Requests.produce("t", 7, (short) 1, Requests.batch("x"))).errorCode());
        assertEquals(0, broker.produceCalls.get());
        assertTrue(broker.createCalls.isEmpty());
    }

    @Test
    void invalidAcksTransactionsAndLegacyBatchesAreRefused() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 1, Map.of());
        assertEquals(ErrorCodes.INVALID_REQUIRED_ACKS,
                produce(client, Requests.produce("t", 0, (short) 2, Requests.batch("x"))).errorCode());
        MemoryRecords legacy = MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1,
                org.apache.kafka.common.compress.Compression.NONE,
                new org.apache.kafka.common.record.internal.SimpleRecord("old".getBytes()));
        assertEquals(ErrorCodes.INVALID_RECORD,
                produce(client, Requests.produce("t", 0, (short) 1, legacy)).errorCode());
        assertEquals(0, broker.produceCalls.get());

        // This listener has no transaction coordinator (the node's has: TransactionsTest).
        InitProducerIdResponseData transactional = client.call(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                Requests.initProducerId().setTransactionalId("tx"));
        assertEquals(ErrorCodes.INVALID_REQUEST, transactional.errorCode());
        InitProducerIdResponseData idempotent = client.call(ApiKeys.INIT_PRODUCER_ID, (short) 5,
                Requests.initProducerId());
        assertEquals(ErrorCodes.NONE, idempotent.errorCode());
        assertTrue(idempotent.producerId() > 0);
    }

    @Test
    void producedBatchesAreFetchedBackWithOffsetsAndListOffsetsAgrees() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 1, Map.of());
        assertEquals(0, produce(client, Requests.produce("t", 0, (short) -1, Requests.batch("a", "b", "c"))).baseOffset());
        assertEquals(3, produce(client, Requests.produce("t", 0, (short) -1, Requests.batch("d"))).baseOffset());

        FetchResponseData fetch = client.call(ApiKeys.FETCH, (short) 12, Requests.fetch("t", 0, 1, 0, 0));
        PartitionData partition = fetch.responses().get(0).partitions().get(0);
        assertEquals(4, partition.highWatermark());
        assertEquals(4, partition.lastStableOffset());
        assertEquals(-1, partition.preferredReadReplica());
        assertEquals(0, fetch.sessionId());
        List<Long> offsets = new java.util.ArrayList<>();
        ((MemoryRecords) partition.records()).records().forEach(record -> offsets.add(record.offset()));
        assertEquals(List.of(0L, 1L, 2L, 3L), offsets); // whole batches, from the one holding offset 1

        ListOffsetsResponseData latest = client.call(ApiKeys.LIST_OFFSETS, (short) 8, Requests.listOffsets("t", 0, -1));
        assertEquals(4, latest.topics().get(0).partitions().get(0).offset());
        ListOffsetsResponseData earliest = client.call(ApiKeys.LIST_OFFSETS, (short) 1, Requests.listOffsets("t", 0, -2));
        assertEquals(0, earliest.topics().get(0).partitions().get(0).offset());
        ListOffsetsResponseData unknown = client.call(ApiKeys.LIST_OFFSETS, (short) 8, Requests.listOffsets("u", 0, -1));
        assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, unknown.topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void fetchBeyondTheLogGetsOffsetOutOfRangeAtOnce() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 1, Map.of());
        FetchResponseData fetch = client.call(ApiKeys.FETCH, (short) 12, Requests.fetch("t", 0, 5, 10_000, 1));
        assertEquals(ErrorCodes.OFFSET_OUT_OF_RANGE, fetch.responses().get(0).partitions().get(0).errorCode());
        assertEquals(0, broker.waiterCount());
    }

    @Test
    void aLongPollEndsAtItsDeadline() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 1, Map.of());
        long startNanos = System.nanoTime();
        FetchResponseData fetch = client.call(ApiKeys.FETCH, (short) 12, Requests.fetch("t", 0, 0, 300, 1));
        long elapsedMs = Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
        assertTrue(elapsedMs >= 300, "answered after " + elapsedMs + " ms, before max_wait_ms");
        PartitionData partition = fetch.responses().get(0).partitions().get(0);
        assertEquals(ErrorCodes.NONE, partition.errorCode());
        assertEquals(0, partition.records().sizeInBytes());
    }

    @Test
    void manyParkedFetchesOnAnIdlePartitionKeepOneWaiterOnTheBroker() throws Exception {
        KafkaListener listener = start(testConfig());
        broker.createNow("idle", 1, Map.of());
        List<WireClient> clients = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            WireClient client = connect(listener);
            client.send(ApiKeys.FETCH, (short) 12, Requests.fetch("idle", 0, 0, 10_000, 1));
            clients.add(client);
        }
        // Sequential timed-out polls, as an idle consumer makes them.
        WireClient poller = connect(listener);
        for (int i = 0; i < 20; i++) {
            poller.call(ApiKeys.FETCH, (short) 12, Requests.fetch("idle", 0, 0, 5, 1));
        }
        assertEquals(1, broker.waiterCount());

        produce(poller, Requests.produce("idle", 0, (short) 1, Requests.batch("wake up")));
        for (WireClient client : clients) {
            PartitionData woken = client.<FetchResponseData>receive(ApiKeys.FETCH, (short) 12).body()
                    .responses().get(0).partitions().get(0);
            assertEquals(1, woken.highWatermark());
            assertTrue(woken.records().sizeInBytes() > 0);
        }
        assertTrue(broker.waiterCount() <= 1);
    }

    @Test
    void maxWaitIsCappedByFetchMaxWaitMsMax() throws Exception {
        // The client asks for a minute; the listener's cap answers well within the client's 15 s read timeout.
        WireClient client = connect(start(testConfig().withFetchMaxWaitMsMax(200)));
        broker.createNow("t", 1, Map.of());
        FetchResponseData fetch = client.call(ApiKeys.FETCH, (short) 12, Requests.fetch("t", 0, 0, 60_000, 1));
        assertEquals(ErrorCodes.NONE, fetch.responses().get(0).partitions().get(0).errorCode());
    }

    @Test
    void responseMaxBytesLetsOnlyTheFirstPartitionExceedItsShare() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 2, Map.of());
        String value = "v".repeat(900);
        for (int partition = 0; partition < 2; partition++) {
            for (int i = 0; i < 3; i++) {
                produce(client, Requests.produce("t", partition, (short) 1, Requests.batch(value)));
            }
        }
        FetchRequestData request = Requests.fetch("t", 0, 0, 0, 0).setMaxBytes(1500);
        request.topics().set(0, new FetchTopic().setTopic("t").setPartitions(List.of(
                new FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20),
                new FetchPartition().setPartition(1).setFetchOffset(0).setPartitionMaxBytes(1 << 20))));
        FetchResponseData fetch = client.call(ApiKeys.FETCH, (short) 12, request);
        PartitionData first = fetch.responses().get(0).partitions().get(0);
        PartitionData second = fetch.responses().get(0).partitions().get(1);
        assertEquals(1, countBatches(first));
        assertEquals(0, countBatches(second)); // its first batch does not fit in what is left
        assertEquals(3, second.highWatermark());

        // A single partition whose first batch exceeds every limit still gets that batch.
        FetchResponseData tiny = client.call(ApiKeys.FETCH, (short) 12, Requests.fetch("t", 1, 0, 0, 0).setMaxBytes(10));
        assertEquals(1, countBatches(tiny.responses().get(0).partitions().get(0)));
    }

    @Test
    void aSessionIdRlogNeverGaveOutIsRefused() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 1, Map.of());
        FetchResponseData fetch = client.call(ApiKeys.FETCH, (short) 12,
                Requests.fetch("t", 0, 0, 0, 0).setSessionId(77).setSessionEpoch(3));
        assertEquals(Errors.FETCH_SESSION_ID_NOT_FOUND.code(), fetch.errorCode());
        assertEquals(0, fetch.sessionId());
    }

    private static int countBatches(PartitionData partition) {
        int count = 0;
        for (RecordBatch ignored : ((MemoryRecords) partition.records()).batches()) {
            count++;
        }
        return count;
    }
}
