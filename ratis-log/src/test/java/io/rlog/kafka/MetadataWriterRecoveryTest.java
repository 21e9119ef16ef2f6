package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.rlog.broker.ErrorCodes;
import io.rlog.node.InJvmCluster;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose metadata group lost its quorum for longer than the metadata client retries (5 s) writes to it
 * again once the quorum is back. Ratis's ordered async client stops for good when a request fails after its
 * last retry; before the node replaced such a client, every later metadata write of that node (topic creation,
 * leader reports, producer-id blocks) failed at once with AlreadyClosedException.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MetadataWriterRecoveryTest {
    private static final short CREATE_TOPICS_VERSION = 7;

    @Test
    void aNodeCreatesTopicsAgainAfterItsMetadataGroupHadNoQuorum(@TempDir Path dir) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, Map.of("offsets.topic.create.eagerly", "false"))) {
            int node1 = cluster.node(1).kafkaPort();
            cluster.restart(2, stopped2 -> cluster.restart(3, stopped3 -> {
                // Node 1 alone: its write is retried for 5 s, then fails for good.
                CreateTopicsResponseData failed = createTopic(node1, "during-outage", 20_000);
                assertNotEquals(ErrorCodes.NONE, failed.topics().find("during-outage").errorCode(),
                        "no topic can be created without a quorum");
            }));
            InJvmCluster.await("every node healthy again", 60_000, () -> cluster.node(1).healthy()
                    && cluster.node(2).healthy() && cluster.node(3).healthy());

            CreateTopicsResponseData created = createTopic(node1, "after-outage", 30_000);
            assertEquals(ErrorCodes.NONE, created.topics().find("after-outage").errorCode(),
                    "node 1 writes to the metadata group again: "
                            + created.topics().find("after-outage").errorMessage());
        }
    }

    private static CreateTopicsResponseData createTopic(int port, String name, int timeoutMs) throws Exception {
        try (WireClient client = new WireClient(port)) {
            return client.call(ApiKeys.CREATE_TOPICS, CREATE_TOPICS_VERSION,
                    Requests.createTopic(name, 1, (short) 3).setTimeoutMs(timeoutMs));
        }
    }
}
