package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlog.broker.ErrorCodes;
import io.rlog.node.InJvmCluster;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that restarts answers clients only from metadata at least as new as the cluster's when it started: a
 * topic created while it was down is not "unknown" to its first Metadata request. Its metadata replica learns
 * of that topic only once the metadata group's leader has sent it the missing entries; until then it holds
 * requests (ApiVersions excepted), as a Kafka broker does not serve before it has caught up with the metadata
 * log. Before, such a node answered UNKNOWN_TOPIC_OR_PARTITION (seen in a chaos run with consumer groups: the
 * group's consumers got it in fetches for a few seconds after all nodes were killed and restarted). On the way:
 * creating a topic while a node is down is answered once its partitions have leaders, not when the request times
 * out waiting for the down node to lead the partitions placed first on it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RestartedNodeMetadataWireTest {
    private static final short METADATA_VERSION = 12;
    private static final short CREATE_TOPICS_VERSION = 7;
    private static final int WAIT_LONGER_THAN_THE_TEST_MS = 3_600_000;

    @Test
    void aTopicCreatedWhileANodeWasDownIsKnownToItsFirstAnswer(@TempDir Path dir) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, Map.of("offsets.topic.create.eagerly", "false"))) {
            cluster.restart(3, stoppedData -> {
                // Placement puts partition 0 of "while-down" first on node 3, which cannot lead while it is down.
                // The request's own timeout is longer than the client's read timeout (15 s): an answer cannot come
                // from it running out, so the node answers once the partitions have the leaders they can have.
                try (WireClient client = new WireClient(cluster.node(1).kafkaPort())) {
                    CreateTopicsResponseData created = client.call(ApiKeys.CREATE_TOPICS, CREATE_TOPICS_VERSION,
                            Requests.createTopic("while-down", 2, (short) 3).setTimeoutMs(WAIT_LONGER_THAN_THE_TEST_MS));
                    assertEquals(ErrorCodes.NONE, created.topics().find("while-down").errorCode());
                }
            });
            // At once, before node 3 has heard from the metadata group's leader.
            try (WireClient client = new WireClient(cluster.node(3).kafkaPort())) {
                MetadataResponseData response = client.call(ApiKeys.METADATA, METADATA_VERSION,
                        Requests.metadata(false, "while-down"));
                MetadataResponseTopic topic = response.topics().find("while-down");
                assertEquals(ErrorCodes.NONE, topic.errorCode(), "node 3's first answer for the topic");
                assertEquals(2, topic.partitions().size());
            }
        }
    }
}
