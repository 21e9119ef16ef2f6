package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.broker.Broker.TopicSpec;
import io.rlog.broker.ErrorCodes;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

/** Metadata, CreateTopics, DeleteTopics and DescribeConfigs over raw sockets. */
class AdminWireTest extends ListenerFixture {

    @Test
    void metadataAutoCreatesOnlyWhenBothTheRequestAndTheConfigAllowIt() throws Exception {
        WireClient off = connect(start(testConfig()));
        MetadataResponseData refused = off.call(ApiKeys.METADATA, (short) 12, Requests.metadata(true, "fresh"));
        assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, refused.topics().find("fresh").errorCode());
        assertTrue(broker.createCalls.isEmpty());

        WireClient on = connect(start(testConfig().withAutoCreateTopicsEnable(true).withTopicDefaults(3, (short) 1)));
        MetadataResponseData notAsked = on.call(ApiKeys.METADATA, (short) 12, Requests.metadata(false, "fresh"));
        assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, notAsked.topics().find("fresh").errorCode());
        MetadataResponseData first = on.call(ApiKeys.METADATA, (short) 12,
                Requests.metadata(true, "fresh", "bad name!"));
        assertEquals(ErrorCodes.LEADER_NOT_AVAILABLE, first.topics().find("fresh").errorCode());
        assertEquals(ErrorCodes.INVALID_TOPIC_EXCEPTION, first.topics().find("bad name!").errorCode());
        assertEquals(List.of(new TopicSpec("fresh", 3, (short) 1, Map.of())), broker.createCalls);

        MetadataResponseData second = on.call(ApiKeys.METADATA, (short) 12, Requests.metadata(true, "fresh"));
        MetadataResponseTopic topic = second.topics().find("fresh");
        assertEquals(ErrorCodes.NONE, topic.errorCode());
        assertEquals(3, topic.partitions().size());
        assertEquals(InMemoryBroker.NODE_ID, topic.partitions().get(0).leaderId());
        assertNotEquals(Uuid.ZERO_UUID, topic.topicId());
    }

    @Test
    void metadataForAllTopicsListsEveryTopicAndTheCluster() throws Exception {
        KafkaListener listener = start(testConfig());
        broker.createNow("a", 1, Map.of());
        broker.createNow("b", 2, Map.of());
        MetadataResponseData all = connect(listener).call(ApiKeys.METADATA, (short) 4,
                new MetadataRequestData().setTopics(null));
        assertEquals(2, all.topics().size());
        assertEquals("rlog-test-cluster", all.clusterId());
        assertEquals(InMemoryBroker.NODE_ID, all.controllerId());
        assertEquals("127.0.0.1", all.brokers().iterator().next().host());
    }

    @Test
    void createTopicsExplainsEachRefusal() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("taken", 1, Map.of());
        CreateTopicsRequestData request = Requests.createTopic("good", -1, (short) -1);
        request.topics().add(Requests.creatable("bad/name", 1, (short) 1));
        request.topics().add(Requests.creatable("too-replicated", 1, (short) 3));
        request.topics().add(Requests.creatable("no-partitions", 0, (short) 1));
        request.topics().add(Requests.creatable("taken", 1, (short) 1));
        CreateTopicsRequestData.CreatableTopic manual = Requests.creatable("manual", -1, (short) -1);
        manual.assignments().add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(1)));
        request.topics().add(manual);
        request.topics().iterator().next().configs().add(new CreatableTopicConfig().setName("retention.ms").setValue("1000"));

        CreateTopicsResponseData response = client.call(ApiKeys.CREATE_TOPICS, (short) 7, request);
        CreatableTopicResult good = response.topics().find("good");
        assertEquals(ErrorCodes.NONE, good.errorCode());
        assertEquals(1, good.numPartitions());
        assertEquals(1, good.replicationFactor());
        assertNotEquals(Uuid.ZERO_UUID, good.topicId());
        assertTrue(good.configs().stream().anyMatch(c -> c.name().equals("retention.ms") && c.value().equals("1000")));
        assertEquals(ErrorCodes.INVALID_TOPIC_EXCEPTION, response.topics().find("bad/name").errorCode());
        CreatableTopicResult replicated = response.topics().find("too-replicated");
        assertEquals(ErrorCodes.INVALID_REPLICATION_FACTOR, replicated.errorCode());
        assertTrue(replicated.errorMessage().contains("1 node"), replicated.errorMessage());
        assertEquals(ErrorCodes.INVALID_PARTITIONS, response.topics().find("no-partitions").errorCode());
        assertEquals(ErrorCodes.TOPIC_ALREADY_EXISTS, response.topics().find("taken").errorCode());
        CreatableTopicResult manualResult = response.topics().find("manual");
        assertEquals(ErrorCodes.INVALID_REQUEST, manualResult.errorCode());
        assertTrue(manualResult.errorMessage().contains("assignment"));
        assertEquals(List.of("good"), broker.createCalls.stream().map(TopicSpec::name).toList());
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        WireClient client = connect(start(testConfig()));
        CreateTopicsResponseData response = client.call(ApiKeys.CREATE_TOPICS, (short) 5,
                Requests.createTopic("maybe", 4, (short) 1).setValidateOnly(true));
        assertEquals(ErrorCodes.NONE, response.topics().find("maybe").errorCode());
        assertEquals(4, response.topics().find("maybe").numPartitions());
        assertFalse(broker.cluster().topics().containsKey("maybe"));
    }

    @Test
    void deleteTopicsByNameAndById() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("by-name", 1, Map.of());
        broker.createNow("by-id", 1, Map.of());
        DeleteTopicsResponseData byName = client.call(ApiKeys.DELETE_TOPICS, (short) 4,
                Requests.deleteTopic("by-name", (short) 4));
        assertEquals(ErrorCodes.NONE, byName.responses().find("by-name").errorCode());

        Uuid id = io.rlog.kafka.api.Uuids.toKafka(broker.cluster().topics().get("by-id").id());
        DeleteTopicsResponseData byId = client.call(ApiKeys.DELETE_TOPICS, (short) 6, new DeleteTopicsRequestData()
                .setTimeoutMs(1000).setTopics(List.of(new DeleteTopicState().setName(null).setTopicId(id),
                        new DeleteTopicState().setName(null).setTopicId(Uuid.randomUuid()))));
        assertEquals(ErrorCodes.NONE, byId.responses().find("by-id").errorCode());
        assertEquals(org.apache.kafka.common.protocol.Errors.UNKNOWN_TOPIC_ID.code(),
                byId.responses().find((String) null).errorCode());
        assertTrue(broker.cluster().topics().isEmpty());

        DeleteTopicsResponseData again = client.call(ApiKeys.DELETE_TOPICS, (short) 5,
                Requests.deleteTopic("by-name", (short) 5));
        assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, again.responses().find("by-name").errorCode());
    }

    @Test
    void describeConfigsForTopicsAndThisBroker() throws Exception {
        WireClient client = connect(start(testConfig()));
        broker.createNow("t", 1, Map.of("retention.ms", "5"));
        DescribeConfigsRequestData request = Requests.describeTopicConfigs("t");
        request.resources().add(new DescribeConfigsResource().setResourceType((byte) 2).setResourceName("missing"));
        request.resources().add(new DescribeConfigsResource().setResourceType((byte) 4).setResourceName("1")
                .setConfigurationKeys(List.of("message.max.bytes")));
        request.resources().add(new DescribeConfigsResource().setResourceType((byte) 4).setResourceName(""));
        DescribeConfigsResponseData response = client.call(ApiKeys.DESCRIBE_CONFIGS, (short) 4, request);

        DescribeConfigsResult topic = response.results().get(0);
        assertEquals(ErrorCodes.NONE, topic.errorCode());
        assertTrue(topic.configs().stream().anyMatch(c -> c.name().equals("retention.ms") && c.value().equals("5")));
        assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, response.results().get(1).errorCode());
        DescribeConfigsResult node = response.results().get(2);
        assertEquals(ErrorCodes.NONE, node.errorCode());
        assertEquals(1, node.configs().size());
        assertEquals("1048588", node.configs().get(0).value());
        assertNull(response.results().get(3).errorMessage());
    }
}
