package io.rlog.broker;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the Kafka listener needs from the node. The listener decodes requests and encodes responses; every
 * decision about data lives behind this interface. Implemented by the node over Ratis ({@code io.rlog.node}).
 *
 * <p>Contract: every method is non-blocking and thread-safe. Futures complete on a Ratis or node thread;
 * they never complete exceptionally for an operating error (that is an error code in the outcome), only
 * for a programmer error. Error codes are Kafka's protocol error codes ({@link ErrorCodes}).
 */
public interface Broker {

    /** This node's id (Kafka broker id). */
    int nodeId();

    /** A consistent snapshot of what this node knows of the cluster, from its local metadata replica. */
    ClusterView cluster();

    /**
     * As {@link #cluster()}, with each partition's leader as this node sees it at this moment (during an election:
     * none). For Metadata answers and leader hints in errors; it may cost a walk over every partition.
     */
    default ClusterView clusterNow() {
        return cluster();
    }

    /**
     * Completes at the next change this node learns of that may change {@link #clusterNow()}'s leaders: a new
     * metadata image, or a new leader of a partition with a replica here. Null when this broker cannot tell; Metadata
     * answers then never wait for a leader.
     */
    default CompletableFuture<Void> nextClusterChange() {
        return null;
    }

    /** Creates a topic; completes once its partition groups exist and each has a leader (or the timeout). */
    CompletableFuture<TopicOutcome> createTopic(TopicSpec spec, boolean validateOnly, int timeoutMs);

    /** Deletes a topic and its partition groups. */
    CompletableFuture<TopicOutcome> deleteTopic(String name, int timeoutMs);

    /**
     * Appends the record batches (record batch v2, as the producer sent them, CRC already checked) to one
     * partition. {@code acks}: -1 waits for quorum commit and apply, 1 for the leader's own log, 0 as 1
     * (the listener drops the response).
     */
    CompletableFuture<ProduceOutcome> produce(String topic, int partition, ByteBuffer batches, short acks, int timeoutMs);

    /** Hands out a new producer id with epoch 0 (non-transactional idempotent producers). */
    CompletableFuture<ProducerIdOutcome> initProducerId();

    /**
     * Reads committed batches from the local replica, starting with the batch that holds {@code fetchOffset},
     * at most {@code maxBytes} unless the first batch alone is larger (it is then returned whole, as Kafka does).
     * {@code leaderOnly}: refuse with NOT_LEADER_OR_FOLLOWER when this node is not the partition's leader.
     */
    ReadOutcome read(String topic, int partition, long fetchOffset, int maxBytes, boolean leaderOnly);

    /**
     * As {@link #read(String, int, long, int, boolean)}; {@code readCommitted} (isolation level READ_COMMITTED) reads
     * only up to the last stable offset and lists the aborted transactions the records overlap.
     */
    default ReadOutcome read(String topic, int partition, long fetchOffset, int maxBytes, boolean leaderOnly,
                             boolean readCommitted) {
        return read(topic, partition, fetchOffset, maxBytes, leaderOnly);
    }

    /** Completes at the next append applied on the local replica of this partition (or at once if none is local). */
    CompletableFuture<Void> nextAppend(String topic, int partition);

    /**
     * ListOffsets for one partition: {@code timestamp} -2 earliest, -1 latest, -3 max timestamp, otherwise the
     * first offset whose batch max timestamp is at least {@code timestamp}.
     */
    OffsetOutcome listOffset(String topic, int partition, long timestamp);

    /** As {@link #listOffset(String, int, long)}; at READ_COMMITTED, latest (-1) is the last stable offset. */
    default OffsetOutcome listOffset(String topic, int partition, long timestamp, boolean readCommitted) {
        return listOffset(topic, partition, timestamp);
    }

    /**
     * CreatePartitions: grows {@code topic} to {@code totalCount} partitions (their groups are created on their
     * replicas); completes once each new partition has a leader, or at the timeout. Not every broker can.
     */
    default CompletableFuture<TopicOutcome> createPartitions(String topic, int totalCount, boolean validateOnly,
                                                             int timeoutMs) {
        return CompletableFuture.completedFuture(new TopicOutcome(ErrorCodes.INVALID_REQUEST,
                "this broker cannot add partitions", null, -1, (short) -1));
    }

    /** Topic configs for DescribeConfigs (the topic's own and the defaults it runs with). */
    Map<String, String> topicConfigs(String topic);

    // ---------------------------------------------------------------------------------------------------------

    record Node(int id, String host, int port) {}

    record PartitionView(int partition, int leaderId, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {}

    record TopicView(String name, java.util.UUID id, boolean internal, List<PartitionView> partitions) {}

    record ClusterView(String clusterId, int controllerId, List<Node> nodes, Map<String, TopicView> topics) {}

    record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {}

    /** {@code errorCode} 0 on success; {@code message} explains a failure to the user. */
    record TopicOutcome(short errorCode, String message, java.util.UUID topicId, int partitions, short replicationFactor) {}

    record ProduceOutcome(short errorCode, String message, long baseOffset, long logAppendTimeMs, long logStartOffset) {}

    record ProducerIdOutcome(short errorCode, long producerId, short producerEpoch) {}

    /**
     * {@code records}: whole batches, base offsets already final; empty when nothing is there. Below
     * {@code lastStableOffset} every transaction has ended; {@code abortedTransactions} (read_committed only) are
     * the aborted ones the records overlap.
     */
    record ReadOutcome(short errorCode, long highWatermark, long logStartOffset, ByteBuffer records,
                       long lastStableOffset, List<AbortedTransaction> abortedTransactions) {
        public ReadOutcome(short errorCode, long highWatermark, long logStartOffset, ByteBuffer records) {
            this(errorCode, highWatermark, logStartOffset, records, highWatermark, List.of());
        }
    }

    /** An aborted transaction in a Fetch answer: its producer and its first offset in the partition. */
    record AbortedTransaction(long producerId, long firstOffset) {}

    record OffsetOutcome(short errorCode, long offset, long timestamp, int leaderEpoch) {}
}
