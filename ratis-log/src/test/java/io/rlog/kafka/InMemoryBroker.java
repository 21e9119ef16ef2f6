package io.rlog.kafka;

import io.rlog.broker.Broker;
import io.rlog.broker.ErrorCodes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A single-node {@link Broker} in memory, for testing the listener without Ratis: one replica (this node leads every
 * partition), batches appended whole with their base offset rewritten, high watermark = log end. No idempotence.
 */
final class InMemoryBroker implements Broker {
    static final int NODE_ID = 1;
    // The CRC of a v2 batch starts after these fields, so rewriting the base offset keeps the batch valid.
    private static final int LAST_OFFSET_DELTA_OFFSET = 23;

    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final AtomicLong producerIds = new AtomicLong(1000);
    final List<TopicSpec> createCalls = new CopyOnWriteArrayList<>();
    final AtomicLong produceCalls = new AtomicLong();
    /** When set, produce answers only once it completes (a slow partition). */
    volatile CompletableFuture<Void> produceGate;
    /** Per produce call, in order: whether the gate was open (or unset) when the call came. */
    final java.util.List<Boolean> produceGateOpen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    /** Partitions ("topic-N") answered with no leader, as during an election. */
    private final java.util.Set<String> leaderless = ConcurrentHashMap.newKeySet();
    private final AtomicReference<CompletableFuture<Void>> clusterChange =
            new AtomicReference<>(new CompletableFuture<>());
    /** How many times the cluster was looked at: a test knows its request has been read. */
    final AtomicLong clusterLooks = new AtomicLong();

    private static final class Topic {
        final UUID id = UUID.randomUUID();
        final List<Partition> partitions = new ArrayList<>();
        final Map<String, String> configs = new LinkedHashMap<>();
    }

    private static final class Partition {
        final List<ByteBuffer> batches = new ArrayList<>();
        final List<Long> baseOffsets = new ArrayList<>();
        // Like the real partition state machine: one future shared by every caller, replaced at each append.
        final AtomicReference<CompletableFuture<Void>> nextAppend = new AtomicReference<>(new CompletableFuture<>());
        long logEndOffset;
    }

    @Override
    public int nodeId() {
        return NODE_ID;
    }

    /** Takes the partition's leader away (as an election does) or gives it back, announcing the change. */
    void setLeaderless(String topic, int partition, boolean none) {
        if (none) {
            leaderless.add(topic + "-" + partition);
        } else {
            leaderless.remove(topic + "-" + partition);
        }
        clusterChange.getAndSet(new CompletableFuture<>()).complete(null);
    }

    @Override
    public CompletableFuture<Void> nextClusterChange() {
        return clusterChange.get();
    }

    @Override
    public ClusterView cluster() {
        clusterLooks.incrementAndGet();
        Map<String, TopicView> views = new LinkedHashMap<>();
        topics.forEach((name, topic) -> {
            List<PartitionView> partitions = new ArrayList<>();
            for (int i = 0; i < topic.partitions.size(); i++) {
                boolean led = !leaderless.contains(name + "-" + i);
                partitions.add(new PartitionView(i, led ? NODE_ID : -1, led ? 0 : -1, List.of(NODE_ID),
                        List.of(NODE_ID)));
            }
            views.put(name, new TopicView(name, topic.id, false, partitions));
        });
        // Port 0: the listener advertises its own bound port for this node.
        return new ClusterView("rlog-test-cluster", NODE_ID, List.of(new Node(NODE_ID, "localhost", 0)), views);
    }

    @Override
    public synchronized CompletableFuture<TopicOutcome> createTopic(TopicSpec spec, boolean validateOnly, int timeoutMs) {
        createCalls.add(spec);
        if (topics.containsKey(spec.name())) {
            return done(new TopicOutcome(ErrorCodes.TOPIC_ALREADY_EXISTS, "exists", null, -1, (short) -1));
        }
        if (spec.replicationFactor() != 1) {
            return done(new TopicOutcome(ErrorCodes.INVALID_REPLICATION_FACTOR, "one node", null, -1, (short) -1));
        }
        if (validateOnly) {
            return done(new TopicOutcome(ErrorCodes.NONE, null, null, spec.partitions(), spec.replicationFactor()));
        }
        createNow(spec.name(), spec.partitions(), spec.configs());
        return done(new TopicOutcome(ErrorCodes.NONE, null, topics.get(spec.name()).id, spec.partitions(),
                spec.replicationFactor()));
    }

    void createNow(String name, int partitions, Map<String, String> configs) {
        Topic topic = new Topic();
        for (int i = 0; i < partitions; i++) {
            topic.partitions.add(new Partition());
        }
        topic.configs.put("cleanup.policy", "delete");
        topic.configs.put("retention.ms", "604800000");
        topic.configs.putAll(configs);
        topics.put(name, topic);
    }

    @Override
    public synchronized CompletableFuture<TopicOutcome> deleteTopic(String name, int timeoutMs) {
        Topic removed = topics.remove(name);
        if (removed == null) {
            return done(new TopicOutcome(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, "no topic " + name, null, -1, (short) -1));
        }
        return done(new TopicOutcome(ErrorCodes.NONE, null, removed.id, removed.partitions.size(), (short) 1));
    }

    @Override
    public CompletableFuture<ProduceOutcome> produce(String topicName, int partition, ByteBuffer batches, short acks,
                                                     int timeoutMs) {
        produceCalls.incrementAndGet();
        Partition p = partition(topicName, partition);
        if (p == null) {
            return done(new ProduceOutcome(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, "unknown", -1, -1, -1));
        }
        long baseOffset;
        synchronized (p) {
            ByteBuffer copy = ByteBuffer.allocate(batches.remaining()).put(batches.duplicate()).flip();
            baseOffset = p.logEndOffset;
            copy.putLong(0, baseOffset);
            p.batches.add(copy);
            p.baseOffsets.add(baseOffset);
            p.logEndOffset += copy.getInt(LAST_OFFSET_DELTA_OFFSET) + 1;
        }
        p.nextAppend.getAndSet(new CompletableFuture<>()).complete(null);
        ProduceOutcome outcome = new ProduceOutcome(ErrorCodes.NONE, null, baseOffset, -1, 0);
        CompletableFuture<Void> gate = produceGate;
        produceGateOpen.add(gate == null || gate.isDone());
        return gate == null ? done(outcome) : gate.thenApply(ignored -> outcome);
    }

    @Override
    public CompletableFuture<ProducerIdOutcome> initProducerId() {
        return done(new ProducerIdOutcome(ErrorCodes.NONE, producerIds.incrementAndGet(), (short) 0));
    }

    @Override
    public ReadOutcome read(String topic, int partition, long fetchOffset, int maxBytes, boolean leaderOnly) {
        Partition p = partition(topic, partition);
        if (p == null) {
            return new ReadOutcome(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, ByteBuffer.allocate(0));
        }
        synchronized (p) {
            if (fetchOffset < 0 || fetchOffset > p.logEndOffset) {
                return new ReadOutcome(ErrorCodes.OFFSET_OUT_OF_RANGE, p.logEndOffset, 0, ByteBuffer.allocate(0));
            }
            List<ByteBuffer> chosen = new ArrayList<>();
            int size = 0;
            for (int i = 0; i < p.batches.size(); i++) {
                ByteBuffer batch = p.batches.get(i);
                long lastOffset = p.baseOffsets.get(i) + batch.getInt(LAST_OFFSET_DELTA_OFFSET);
                if (lastOffset < fetchOffset) {
                    continue;
                }
                if (!chosen.isEmpty() && size + batch.remaining() > maxBytes) {
                    break;
                }
                chosen.add(batch.duplicate());
                size += batch.remaining();
            }
            ByteBuffer records = ByteBuffer.allocate(size);
            chosen.forEach(records::put);
            return new ReadOutcome(ErrorCodes.NONE, p.logEndOffset, 0, records.flip());
        }
    }

    @Override
    public CompletableFuture<Void> nextAppend(String topic, int partition) {
        Partition p = partition(topic, partition);
        if (p == null) {
            return CompletableFuture.completedFuture(null);
        }
        return p.nextAppend.get();
    }

    @Override
    public OffsetOutcome listOffset(String topic, int partition, long timestamp) {
        Partition p = partition(topic, partition);
        if (p == null) {
            return new OffsetOutcome(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, -1, -1, -1);
        }
        synchronized (p) {
            if (timestamp == -2) {
                return new OffsetOutcome(ErrorCodes.NONE, 0, -1, 0);
            }
            return new OffsetOutcome(ErrorCodes.NONE, p.logEndOffset, -1, 0);
        }
    }

    @Override
    public Map<String, String> topicConfigs(String topic) {
        Topic t = topics.get(topic);
        return t == null ? Map.of() : Map.copyOf(t.configs);
    }

    long logEndOffset(String topic, int partition) {
        Partition p = partition(topic, partition);
        synchronized (p) {
            return p.logEndOffset;
        }
    }

    /** Callbacks waiting on the partitions' next-append futures: what a leak of parked fetches would grow. */
    int waiterCount() {
        int count = 0;
        for (Topic topic : topics.values()) {
            for (Partition p : topic.partitions) {
                count += p.nextAppend.get().getNumberOfDependents();
            }
        }
        return count;
    }

    private Partition partition(String topic, int partition) {
        Topic t = topics.get(topic);
        if (t == null || partition < 0 || partition >= t.partitions.size()) {
            return null;
        }
        return t.partitions.get(partition);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
