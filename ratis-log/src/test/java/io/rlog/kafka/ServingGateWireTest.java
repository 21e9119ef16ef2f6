package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.broker.ErrorCodes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A closed {@link ServingGate} holds a connection's requests (ApiVersions excepted) without answering them or
 * letting them reach the broker; opening it runs them in the order they came, and the connection answers them in
 * that order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServingGateWireTest extends ListenerFixture {
    private static final String TOPIC = "held";
    private static final short METADATA_VERSION = 12;
    private static final short PRODUCE_VERSION = 12;

    @Test
    void heldRequestsRunInOrderOnceTheGateOpens() throws Exception {
        broker.createNow(TOPIC, 1, Map.of());
        ServingGate gate = ServingGate.closed();
        KafkaListener listener = start(testConfig(), gate);
        WireClient held = connect(listener);

        int metadataId = held.send(ApiKeys.METADATA, METADATA_VERSION, Requests.metadata(false, TOPIC));
        int firstProduceId = held.send(ApiKeys.PRODUCE, PRODUCE_VERSION,
                Requests.produce(TOPIC, 0, (short) -1, Requests.batch("a", "b")));
        int secondProduceId = held.send(ApiKeys.PRODUCE, PRODUCE_VERSION,
                Requests.produce(TOPIC, 0, (short) -1, Requests.batch("c")));
        await(Duration.ofSeconds(30), "three requests held", () -> gate.heldCount() == 3);

        // Another connection still learns the API versions meanwhile.
        ApiVersionsResponseData versions = connect(listener).call(ApiKeys.API_VERSIONS, (short) 3,
                Requests.apiVersions());
        assertEquals(ErrorCodes.NONE, versions.errorCode());
        assertEquals(0, broker.logEndOffset(TOPIC, 0), "nothing reached the broker while the gate was closed");
        assertFalse(gate.isOpen());

        gate.open();

        WireClient.Response<MetadataResponseData> metadata = held.receive(ApiKeys.METADATA, METADATA_VERSION);
        assertEquals(metadataId, metadata.correlationId());
        assertEquals(ErrorCodes.NONE, metadata.body().topics().find(TOPIC).errorCode());
        WireClient.Response<ProduceResponseData> first = held.receive(ApiKeys.PRODUCE, PRODUCE_VERSION);
        assertEquals(firstProduceId, first.correlationId());
        assertEquals(0, partitionBaseOffset(first.body()), "the first produce was written first");
        WireClient.Response<ProduceResponseData> second = held.receive(ApiKeys.PRODUCE, PRODUCE_VERSION);
        assertEquals(secondProduceId, second.correlationId());
        assertEquals(2, partitionBaseOffset(second.body()));
        assertTrue(gate.isOpen());
        assertEquals(0, gate.heldCount());
    }

    @Test
    void anOpenGateLetsRequestsThroughAtOnce() throws Exception {
        broker.createNow(TOPIC, 1, Map.of());
        KafkaListener listener = start(testConfig(), ServingGate.opened());
        MetadataResponseData metadata = connect(listener).call(ApiKeys.METADATA, METADATA_VERSION,
                Requests.metadata(false, TOPIC));
        assertEquals(ErrorCodes.NONE, metadata.topics().find(TOPIC).errorCode());
    }

    private static long partitionBaseOffset(ProduceResponseData response) {
        ProduceResponseData.PartitionProduceResponse p = response.responses().iterator().next().partitionResponses().get(0);
        assertEquals(ErrorCodes.NONE, p.errorCode());
        return p.baseOffset();
    }
}
