package io.rlog.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicCollection;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Minimal valid requests, built with kafka-clients' generated classes. */
final class Requests {
    private Requests() {}

    static MemoryRecords batch(String... values) {
        return MemoryRecords.withRecords(Compression.NONE, records(values));
    }

    /** An idempotent producer's batch starting at {@code firstSequence}. */
    static MemoryRecords idempotentBatch(long producerId, short epoch, int firstSequence, String... values) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, firstSequence,
                records(values));
    }

    private static SimpleRecord[] records(String... values) {
        List<SimpleRecord> records = new ArrayList<>();
        for (String value : values) {
            records.add(new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)));
        }
        return records.toArray(SimpleRecord[]::new);
    }

    static ApiVersionsRequestData apiVersions() {
        return new ApiVersionsRequestData().setClientSoftwareName("wire-test").setClientSoftwareVersion("1.0");
    }

    static MetadataRequestData metadata(boolean allowAutoCreate, String... topics) {
        List<MetadataRequestTopic> requested = new ArrayList<>();
        for (String topic : topics) {
            requested.add(new MetadataRequestTopic().setName(topic));
        }
        return new MetadataRequestData().setTopics(requested).setAllowAutoTopicCreation(allowAutoCreate);
    }

    static ProduceRequestData produce(String topic, int partition, short acks, MemoryRecords records) {
        TopicProduceDataCollection topics = new TopicProduceDataCollection();
        topics.add(new TopicProduceData().setName(topic).setPartitionData(List.of(
                new PartitionProduceData().setIndex(partition).setRecords(records))));
        return new ProduceRequestData().setAcks(acks).setTimeoutMs(5_000).setTopicData(topics);
    }

    static FetchRequestData fetch(String topic, int partition, long offset, int maxWaitMs, int minBytes) {
        return new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(minBytes)
                .setMaxBytes(1 << 20)
                .setSessionId(0)
                .setSessionEpoch(-1)
                .setTopics(new ArrayList<>(List.of(new FetchTopic().setTopic(topic).setPartitions(List.of(
                        new FetchPartition().setPartition(partition).setFetchOffset(offset)
                                .setPartitionMaxBytes(1 << 20))))));
    }

    static ListOffsetsRequestData listOffsets(String topic, int partition, long timestamp) {
        return new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(new ListOffsetsTopic().setName(topic)
                .setPartitions(List.of(new ListOffsetsPartition().setPartitionIndex(partition).setTimestamp(timestamp)))));
    }

    static CreateTopicsRequestData createTopic(String name, int partitions, short replicationFactor) {
        CreatableTopicCollection topics = new CreatableTopicCollection();
        topics.add(creatable(name, partitions, replicationFactor));
        return new CreateTopicsRequestData().setTopics(topics).setTimeoutMs(5_000);
    }

    static CreatableTopic creatable(String name, int partitions, short replicationFactor) {
        return new CreatableTopic().setName(name).setNumPartitions(partitions).setReplicationFactor(replicationFactor);
    }

    static DeleteTopicsRequestData deleteTopic(String name, short version) {
        DeleteTopicsRequestData data = new DeleteTopicsRequestData().setTimeoutMs(5_000);
        return version >= 6
                ? data.setTopics(List.of(new DeleteTopicState().setName(name)))
                : data.setTopicNames(List.of(name));
    }

    static InitProducerIdRequestData initProducerId() {
        return new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000);
    }

    static DescribeConfigsRequestData describeTopicConfigs(String topic) {
        return new DescribeConfigsRequestData().setResources(new ArrayList<>(List.of(new DescribeConfigsResource()
                .setResourceType((byte) 2).setResourceName(topic).setConfigurationKeys(null))));
    }
}
