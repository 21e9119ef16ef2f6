package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.broker.ErrorCodes;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

/** Framing, malformed input, version negotiation, response order and in-flight limits, over raw sockets. */
class ConnectionHandlingTest extends ListenerFixture {

    @Test
    void lengthPrefixAboveSocketRequestMaxBytesClosesTheConnectionAndOthersAreStillServed() throws Exception {
        KafkaListener listener = start(testConfig().withMessageMaxBytes(1 << 19).withSocketRequestMaxBytes(1 << 20));
        WireClient greedy = connect(listener);
        greedy.sendRaw(ByteBuffer.allocate(4).putInt((1 << 20) + 1).array());
        assertTrue(greedy.closedByServer());

        ApiVersionsResponseData answer = connect(listener).call(ApiKeys.API_VERSIONS, (short) 4, Requests.apiVersions());
        assertEquals(ErrorCodes.NONE, answer.errorCode());
        await(Duration.ofSeconds(10), "the refused connection to be released", () -> listener.openConnections() == 1);
    }

    @Test
    void garbageBytesCloseTheConnectionAndTheListenerKeepsServing() throws Exception {
        KafkaListener listener = start(testConfig());
        byte[] garbage = new byte[64];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0x7f; // API key 0x7fxx: unknown
        WireClient unknownKey = connect(listener);
        unknownKey.sendRaw(ByteBuffer.allocate(4 + garbage.length).putInt(garbage.length).put(garbage).array());
        assertTrue(unknownKey.closedByServer());

        // A known key and version with a body that does not parse.
        ByteBuffer badBody = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + 8);
        badBody.putInt(badBody.capacity() - 4).putShort(ApiKeys.METADATA.id).putShort((short) 4).putInt(7)
                .putShort((short) -1).putInt(Integer.MAX_VALUE).putInt(0);
        WireClient badParse = connect(listener);
        badParse.sendRaw(badBody.array());
        assertTrue(badParse.closedByServer());

        WireClient tooShort = connect(listener);
        tooShort.sendRaw(new byte[] {0, 0, 0, 2, 0, 3});
        assertTrue(tooShort.closedByServer());

        MetadataResponseData metadata = connect(listener).call(ApiKeys.METADATA, (short) 12, Requests.metadata(false));
        assertEquals(1, metadata.brokers().size());
        assertEquals(listener.port(), metadata.brokers().iterator().next().port());
    }

    @Test
    void newerApiVersionsGetsUnsupportedVersionInV0WithTheApiList() throws Exception {
        KafkaListener listener = start(testConfig());
        WireClient client = connect(listener);
        int correlationId = client.send(ApiKeys.API_VERSIONS, (short) 5, Requests.apiVersions());
        WireClient.Response<ApiVersionsResponseData> response = client.receive(ApiKeys.API_VERSIONS, (short) 0);
        assertEquals(correlationId, response.correlationId());
        assertEquals(ErrorCodes.UNSUPPORTED_VERSION, response.body().errorCode());
        ApiVersion apiVersions = response.body().apiKeys().find(ApiKeys.API_VERSIONS.id);
        assertEquals(4, apiVersions.maxVersion());
        ApiVersion produce = response.body().apiKeys().find(ApiKeys.PRODUCE.id);
        assertEquals(0, produce.minVersion());
        assertEquals(12, produce.maxVersion());

        // The client then retries with a version from the list, on the same connection.
        ApiVersionsResponseData retry = client.call(ApiKeys.API_VERSIONS, (short) 4, Requests.apiVersions());
        assertEquals(ErrorCodes.NONE, retry.errorCode());
        assertEquals(12, retry.apiKeys().find(ApiKeys.FETCH.id).maxVersion());
        assertEquals(8, retry.apiKeys().find(ApiKeys.LIST_OFFSETS.id).maxVersion());
        assertEquals(-1, retry.finalizedFeaturesEpoch());
        assertFalse(retry.zkMigrationReady());
    }

    @Test
    void unsupportedVersionsOfOtherApisCloseTheConnection() throws Exception {
        KafkaListener listener = start(testConfig());
        broker.createNow("t", 1, Map.of());
        // Produce v0-v2 are advertised (for librdkafka) but carry old message formats: refused like Kafka 4.
        ByteBuffer produceV2 = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + 2 + 4 + 4);
        produceV2.putInt(produceV2.capacity() - 4).putShort(ApiKeys.PRODUCE.id).putShort((short) 2).putInt(1)
                .putShort((short) -1).putShort((short) 1).putInt(1000).putInt(0);
        WireClient old = connect(listener);
        old.sendRaw(produceV2.array());
        assertTrue(old.closedByServer());

        WireClient newer = connect(listener);
        newer.send(ApiKeys.FETCH, (short) 13, Requests.fetch("t", 0, 0, 0, 0));
        assertTrue(newer.closedByServer());

        WireClient notServed = connect(listener);
        notServed.send(ApiKeys.FIND_COORDINATOR, (short) 4,
                new org.apache.kafka.common.message.FindCoordinatorRequestData().setKeyType((byte) 0));
        assertTrue(notServed.closedByServer());
    }

    @Test
    void responsesLeaveInRequestOrderWhenTheBrokerAnswersOutOfOrder() throws Exception {
        KafkaListener listener = start(testConfig());
        broker.createNow("t", 1, Map.of());
        WireClient client = connect(listener);
        // The fetch parks (nothing to read), the ApiVersions answer is ready at once, the produce wakes the fetch.
        int fetchId = client.send(ApiKeys.FETCH, (short) 12, Requests.fetch("t", 0, 0, 10_000, 1));
        await(Duration.ofSeconds(10), "the fetch to park", () -> broker.waiterCount() == 1);
        int versionsId = client.send(ApiKeys.API_VERSIONS, (short) 4, Requests.apiVersions());
        int produceId = client.send(ApiKeys.PRODUCE, (short) 12,
                Requests.produce("t", 0, (short) 1, Requests.batch("hello")));

        WireClient.Response<FetchResponseData> fetch = client.receive(ApiKeys.FETCH, (short) 12);
        assertEquals(fetchId, fetch.correlationId());
        FetchResponseData.PartitionData partition = fetch.body().responses().get(0).partitions().get(0);
        assertEquals(ErrorCodes.NONE, partition.errorCode());
        assertEquals(1, partition.highWatermark());
        assertTrue(partition.records().sizeInBytes() > 0);
        assertEquals(versionsId, client.receive(ApiKeys.API_VERSIONS, (short) 4).correlationId());
        WireClient.Response<ProduceResponseData> produce = client.receive(ApiKeys.PRODUCE, (short) 12);
        assertEquals(produceId, produce.correlationId());
        assertTrue(broker.waiterCount() <= 1, "one watch per partition at most, got " + broker.waiterCount());
    }

    @Test
    void acksZeroProduceGetsNoResponseAndDoesNotHoldBackLaterOnes() throws Exception {
        KafkaListener listener = start(testConfig());
        broker.createNow("t", 1, Map.of());
        WireClient client = connect(listener);
        client.send(ApiKeys.PRODUCE, (short) 12, Requests.produce("t", 0, (short) 0, Requests.batch("fire", "forget")));
        int metadataId = client.send(ApiKeys.METADATA, (short) 12, Requests.metadata(false, "t"));
        WireClient.Response<MetadataResponseData> next = client.receive(ApiKeys.METADATA, (short) 12);
        assertEquals(metadataId, next.correlationId());
        assertEquals(2, broker.logEndOffset("t", 0));
    }

    /**
     * An acks=0 request keeps its slot until its partition has taken it: with one request in flight per connection,
     * the next one is not even read before that, so an acks=0 producer cannot queue up data in the node.
     */
    @Test
    void acksZeroProduceHoldsItsSlotUntilThePartitionTookIt() throws Exception {
        KafkaListener listener = start(testConfig().withMaxInFlightRequestsPerConnection(1));
        broker.createNow("t", 1, Map.of());
        CompletableFuture<Void> gate = new CompletableFuture<>();
        broker.produceGate = gate;
        WireClient client = connect(listener);
        client.send(ApiKeys.PRODUCE, (short) 12, Requests.produce("t", 0, (short) 0, Requests.batch("first")));
        client.send(ApiKeys.PRODUCE, (short) 12, Requests.produce("t", 0, (short) 0, Requests.batch("second")));
        int metadataId = client.send(ApiKeys.METADATA, (short) 12, Requests.metadata(false, "t"));
        io.rlog.node.InJvmCluster.await("the first request at the partition", 10_000,
                () -> broker.produceCalls.get() >= 1);
        gate.complete(null);
        assertEquals(metadataId, client.receive(ApiKeys.METADATA, (short) 12).correlationId());
        assertEquals(java.util.List.of(false, true), broker.produceGateOpen,
                "the second request reached the partition only once the first one's had taken it");
        assertEquals(2, broker.logEndOffset("t", 0));
    }

    @Test
    void failedAcksZeroProduceClosesTheConnection() throws Exception {
        KafkaListener listener = start(testConfig());
        WireClient client = connect(listener);
        client.send(ApiKeys.PRODUCE, (short) 12, Requests.produce("missing", 0, (short) 0, Requests.batch("x")));
        assertTrue(client.closedByServer());
    }

    @Test
    void pipelinedRequestsBeyondTheInFlightLimitAreAllAnsweredInOrder() throws Exception {
        KafkaListener listener = start(testConfig().withMaxInFlightRequestsPerConnection(1));
        WireClient client = connect(listener);
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        int requests = 50;
        for (int id = 1000; id < 1000 + requests; id++) {
            burst.write(WireClient.frame(ApiKeys.API_VERSIONS, (short) 3, id, Requests.apiVersions()));
        }
        client.sendRaw(burst.toByteArray());
        for (int id = 1000; id < 1000 + requests; id++) {
            WireClient.Response<ApiVersionsResponseData> response = client.receive(ApiKeys.API_VERSIONS, (short) 3);
            assertEquals(id, response.correlationId());
            assertNotNull(response.body().apiKeys().find(ApiKeys.METADATA.id));
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsAreRefused() throws Exception {
        KafkaListener listener = start(testConfig().withMaxConnections(1));
        WireClient first = connect(listener);
        ApiVersionsResponseData firstAnswer = first.call(ApiKeys.API_VERSIONS, (short) 4, Requests.apiVersions());
        assertEquals(ErrorCodes.NONE, firstAnswer.errorCode());
        assertTrue(connect(listener).closedByServer());
        first.close();
        await(Duration.ofSeconds(10), "the first connection to be released", () -> listener.openConnections() == 0);
        WireClient later = connect(listener);
        ApiVersionsResponseData laterAnswer = later.call(ApiKeys.API_VERSIONS, (short) 4, Requests.apiVersions());
        assertEquals(ErrorCodes.NONE, laterAnswer.errorCode());
    }

    @Test
    void closeIsIdempotentAndClosesConnections() throws Exception {
        KafkaListener listener = start(testConfig());
        WireClient client = connect(listener);
        client.call(ApiKeys.API_VERSIONS, (short) 4, Requests.apiVersions());
        listener.close();
        listener.close();
        assertTrue(client.closedByServer());
    }
}
