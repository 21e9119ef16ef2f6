package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlog.broker.ErrorCodes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Metadata request that arrives while a partition it names has no leader (an election under way) is answered
 * once the node learns of the new leader, with that leader, rather than at once with none; bounded by
 * {@code metadataLeaderWaitMs}, and only for requests that name existing topics.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetadataLeaderWaitWireTest extends ListenerFixture {
    private static final String TOPIC = "elections";
    private static final short VERSION = 12;
    /** Longer than any test may run: an answer that comes cannot have come from the wait running out. */
    private static final int WAIT_LONGER_THAN_THE_TEST_MS = 3_600_000;

    private CompletableFuture<MetadataResponseData> ask(KafkaListener listener, MetadataRequestData request)
            throws Exception {
        WireClient client = connect(listener);
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.call(ApiKeys.METADATA, VERSION, request);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static MetadataResponsePartition partition(MetadataResponseData response, int index) {
        return response.topics().find(TOPIC).partitions().get(index);
    }

    @Test
    void anAnswerDuringAnElectionNamesTheLeaderElected() throws Exception {
        broker.createNow(TOPIC, 2, Map.of());
        broker.setLeaderless(TOPIC, 1, true);
        KafkaListener listener = start(testConfig().withMetadataLeaderWaitMs(WAIT_LONGER_THAN_THE_TEST_MS));
        long looksBefore = broker.clusterLooks.get();

        CompletableFuture<MetadataResponseData> answer = ask(listener, Requests.metadata(false, TOPIC));
        // Once the request has been looked at, the leader comes back: an answer given at the first look would
        // still name none.
        await(Duration.ofSeconds(30), "the request to be read", () -> broker.clusterLooks.get() > looksBefore);
        broker.setLeaderless(TOPIC, 1, false);

        MetadataResponseData response = answer.get(30, TimeUnit.SECONDS);
        assertEquals(ErrorCodes.NONE, partition(response, 1).errorCode());
        assertEquals(InMemoryBroker.NODE_ID, partition(response, 1).leaderId(), "the leader elected meanwhile");
        assertEquals(InMemoryBroker.NODE_ID, partition(response, 0).leaderId());
    }

    @Test
    void withoutANewLeaderTheAnswerComesWhenTheWaitEnds() throws Exception {
        broker.createNow(TOPIC, 1, Map.of());
        broker.setLeaderless(TOPIC, 0, true);
        KafkaListener listener = start(testConfig().withMetadataLeaderWaitMs(200));

        MetadataResponseData response = ask(listener, Requests.metadata(false, TOPIC)).get(30, TimeUnit.SECONDS);

        assertEquals(ErrorCodes.LEADER_NOT_AVAILABLE, partition(response, 0).errorCode());
        assertEquals(-1, partition(response, 0).leaderId());
        assertEquals(-1, partition(response, 0).leaderEpoch());
    }

    @Test
    void aChangeThatLeavesThePartitionLeaderlessKeepsTheAnswerWaiting() throws Exception {
        broker.createNow(TOPIC, 1, Map.of());
        broker.createNow("other", 1, Map.of());
        broker.setLeaderless(TOPIC, 0, true);
        KafkaListener listener = start(testConfig().withMetadataLeaderWaitMs(WAIT_LONGER_THAN_THE_TEST_MS));
        long looksBefore = broker.clusterLooks.get();

        CompletableFuture<MetadataResponseData> answer = ask(listener, Requests.metadata(false, TOPIC));
        await(Duration.ofSeconds(30), "the request to be read", () -> broker.clusterLooks.get() > looksBefore);
        // Another partition's change: the answer is rebuilt, still has no leader, and waits on.
        broker.setLeaderless("other", 0, false);
        await(Duration.ofSeconds(30), "the answer to be rebuilt", () -> broker.clusterLooks.get() > looksBefore + 1);
        broker.setLeaderless(TOPIC, 0, false);

        assertEquals(InMemoryBroker.NODE_ID, partition(answer.get(30, TimeUnit.SECONDS), 0).leaderId());
    }

    @Test
    void requestsForEveryTopicOrForAMissingOneAreAnsweredAtOnce() throws Exception {
        broker.createNow(TOPIC, 1, Map.of());
        broker.setLeaderless(TOPIC, 0, true);
        KafkaListener listener = start(testConfig().withMetadataLeaderWaitMs(WAIT_LONGER_THAN_THE_TEST_MS));

        MetadataResponseData every = ask(listener, new MetadataRequestData().setTopics(null)).get(30, TimeUnit.SECONDS);
        assertEquals(-1, partition(every, 0).leaderId());

        MetadataResponseData withMissing = ask(listener, Requests.metadata(false, TOPIC, "missing"))
                .get(30, TimeUnit.SECONDS);
        assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, withMissing.topics().find("missing").errorCode());
        assertEquals(-1, partition(withMissing, 0).leaderId());
    }
}
