package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.broker.ErrorCodes;
import io.rlog.node.InJvmCluster;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.NodeEndpoint;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client hears about leadership when it asks the wrong node or asks during an election, on a real 3-node
 * cluster: a refused Produce names the leader (KIP-951), and Metadata names no leader while an election runs
 * instead of the node that was lost. The last test stops two nodes, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaderHintsWireTest {
    private static final String TOPIC = "hints";
    private static final short METADATA_VERSION = 12;

    @TempDir
    static Path dir;
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, Map.of());
        try (WireClient any = new WireClient(cluster.node(1).kafkaPort())) {
            CreateTopicsResponseData created = any.call(ApiKeys.CREATE_TOPICS, (short) 7,
                    Requests.createTopic(TOPIC, 1, (short) 3));
            assertEquals(ErrorCodes.NONE, created.topics().find(TOPIC).errorCode());
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Partition 0 as node {@code id} describes it. */
    static MetadataResponsePartition partitionSeenBy(int id) throws Exception {
        try (WireClient client = new WireClient(cluster.node(id).kafkaPort())) {
            MetadataResponseData metadata = client.call(ApiKeys.METADATA, METADATA_VERSION,
                    Requests.metadata(false, TOPIC));
            return metadata.topics().find(TOPIC).partitions().get(0);
        }
    }

    /** The leader every node agrees on, once they do. */
    static int agreedLeader() throws Exception {
        int[] leader = {-1};
        InJvmCluster.await("every node naming the same leader of " + TOPIC + "-0", 30_000, () -> {
            try {
                int first = partitionSeenBy(1).leaderId();
                leader[0] = first;
                return first > 0 && partitionSeenBy(2).leaderId() == first && partitionSeenBy(3).leaderId() == first;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        return leader[0];
    }

    static int follower(int leader) {
        return leader == 1 ? 2 : 1;
    }

    static PartitionProduceResponse produce(int nodeId, short version, ProduceResponseData[] whole) throws Exception {
        try (WireClient client = new WireClient(cluster.node(nodeId).kafkaPort())) {
            ProduceResponseData response = client.call(ApiKeys.PRODUCE, version,
                    Requests.produce(TOPIC, 0, (short) -1, Requests.batch("v")));
            whole[0] = response;
            return response.responses().iterator().next().partitionResponses().get(0);
        }
    }

    @Test
    @Order(1)
    void aRefusedProduceNamesTheLeaderAndItsEndpoint() throws Exception {
        int leader = agreedLeader();
        int epoch = partitionSeenBy(leader).leaderEpoch();
        ProduceResponseData[] whole = new ProduceResponseData[1];

        PartitionProduceResponse refused = produce(follower(leader), (short) 12, whole);

        assertEquals(ErrorCodes.NOT_LEADER_OR_FOLLOWER, refused.errorCode());
        assertEquals(leader, refused.currentLeader().leaderId(), "the leader named in the refusal");
        assertEquals(epoch, refused.currentLeader().leaderEpoch(), "with the epoch Metadata gives");
        NodeEndpoint endpoint = whole[0].nodeEndpoints().find(leader);
        assertNotNull(endpoint, "the named leader's endpoint comes with it");
        assertEquals(cluster.node(leader).kafkaPort(), endpoint.port());
        assertEquals(1, whole[0].nodeEndpoints().size(), "only the endpoints the hints need");

        PartitionProduceResponse accepted = produce(leader, (short) 12, whole);
        assertEquals(ErrorCodes.NONE, accepted.errorCode(), "the named leader takes the write");
        assertEquals(-1, accepted.currentLeader().leaderId(), "no hint on success");
    }

    @Test
    @Order(2)
    void versionsBeforeTenCarryNoHint() throws Exception {
        int leader = agreedLeader();
        ProduceResponseData[] whole = new ProduceResponseData[1];

        PartitionProduceResponse refused = produce(follower(leader), (short) 9, whole);

        assertEquals(ErrorCodes.NOT_LEADER_OR_FOLLOWER, refused.errorCode());
        assertEquals(-1, refused.currentLeader().leaderId());
        assertTrue(whole[0].nodeEndpoints().isEmpty());
    }

    /**
     * With the leader and the other follower gone, the last replica's election cannot finish. Before, its Metadata
     * named the lost leader for as long as that lasted; a client then counted each answer as no progress and
     * backed off further each time.
     */
    @Test
    @Order(3)
    void duringAnElectionMetadataNamesNoLeader() throws Exception {
        int leader = agreedLeader();
        int survivor = follower(leader);
        // The other follower first: closed after the leader, it could still vote the survivor in (the survivor
        // stands at once when the leader's port refuses), and a leader is named until it steps down.
        for (int id = 1; id <= cluster.size(); id++) {
            if (id != survivor && id != leader) {
                cluster.node(id).close();
            }
        }
        cluster.node(leader).close();

        MetadataResponsePartition[] seen = new MetadataResponsePartition[1];
        InJvmCluster.await("node " + survivor + " to report no leader", 30_000, () -> {
            try {
                seen[0] = partitionSeenBy(survivor);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return seen[0].leaderId() != leader;
        });
        assertEquals(-1, seen[0].leaderId());
        assertEquals(-1, seen[0].leaderEpoch(), "no epoch either, so the client takes the next answer as news");
        assertEquals(ErrorCodes.LEADER_NOT_AVAILABLE, seen[0].errorCode());

        ProduceResponseData[] whole = new ProduceResponseData[1];
        PartitionProduceResponse refused = produce(survivor, (short) 12, whole);
        assertNotEquals(ErrorCodes.NONE, refused.errorCode(), "no write without a quorum");
        assertEquals(-1, refused.currentLeader().leaderId(), "and no leader to name");
        assertNull(whole[0].nodeEndpoints().find(leader));
    }
}
