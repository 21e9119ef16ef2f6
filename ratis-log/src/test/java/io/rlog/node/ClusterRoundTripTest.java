package io.rlog.node;

import io.rlog.kafka.api.Uuids;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto.LogEntryBodyCase;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.raftlog.LogEntryHeader;
import org.apache.ratis.server.raftlog.RaftLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kafka-clients 4.4 against a real 3-node rlog cluster (in one JVM, real sockets, Ratis and RocksDB). */
class ClusterRoundTripTest {

    @TempDir
    static Path dir;
    static InJvmCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, Map.of());
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        admin = Admin.create(p);
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static KafkaProducer<String, String> producer(String acks, boolean idempotent, String compression) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, acks);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(p);
    }

    static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // An out-of-range fetch must fail the test, not silently jump to the log end.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        return new KafkaConsumer<>(p);
    }

    /** Reads every partition of {@code topic} from the start until {@code expected} records arrived. */
    static Map<Integer, List<ConsumerRecord<String, String>>> readAll(String topic, int partitions, int expected) {
        Map<Integer, List<ConsumerRecord<String, String>>> byPartition = new HashMap<>();
        try (KafkaConsumer<String, String> c = consumer()) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            int total = 0;
            long deadline = System.currentTimeMillis() + 60_000;
            while (total < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    byPartition.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r);
                    total++;
                }
            }
        }
        return byPartition;
    }

    private void roundTrip(String topic, String acks, boolean idempotent, String compression, int count)
            throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get();
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        try (KafkaProducer<String, String> p = producer(acks, idempotent, compression)) {
            for (int i = 0; i < count; i++) {
                sends.add(p.send(new ProducerRecord<>(topic, "k" + (i % 17), "v" + i)));
            }
            p.flush();
        }
        if (!acks.equals("0")) {
            for (Future<RecordMetadata> f : sends) {
                f.get(); // every send acknowledged: a failure here names the error
            }
        }
        Map<Integer, List<ConsumerRecord<String, String>>> read = readAll(topic, 3, count);
        assertEquals(count, read.values().stream().mapToInt(List::size).sum(), "records read back");
        for (List<ConsumerRecord<String, String>> records : read.values()) {
            long expectedOffset = 0;
            int lastValue = -1;
            for (ConsumerRecord<String, String> r : records) {
                assertEquals(expectedOffset++, r.offset(), "offsets are dense");
                int v = Integer.parseInt(r.value().substring(1));
                assertTrue(v > lastValue, "per-partition order kept: " + v + " after " + lastValue);
                lastValue = v;
                assertEquals("k" + (v % 17), r.key());
            }
        }
        if (!acks.equals("0")) {
            for (int i = 0; i < count; i++) {
                RecordMetadata md = sends.get(i).get();
                ConsumerRecord<String, String> r = read.get(md.partition()).get((int) md.offset());
                assertEquals("v" + i, r.value(), "acknowledged offset holds the record sent");
            }
        }
    }

    @Test
    void idempotentAcksAllLz4() throws Exception {
        roundTrip("rt-lz4", "all", true, "lz4", 10_000);
    }

    @Test
    void idempotentAcksAllZstd() throws Exception {
        roundTrip("rt-zstd", "all", true, "zstd", 10_000);
    }

    /**
     * Every division, the metadata group's and the partitions', gets the sticky updater signal within a few
     * seconds of starting, and writes acknowledged one at a time with pauses between them (each needs a woken
     * updater on the leader) still all complete and read back.
     */
    @Test
    void idleUpdatersAreQuietedAndSingleWritesStillComplete() throws Exception {
        assertTrue(UpdaterWakeups.supported(), "Ratis internals as UpdaterWakeups expects");
        String topic = "quiet";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 3))).all().get();
        InJvmCluster.await("every division quieted", 30_000, () -> {
            int divisions = 0;
            for (int n = 1; n <= cluster.size(); n++) {
                RaftHost host = cluster.node(n).raftHost();
                for (org.apache.ratis.protocol.RaftGroupId gid : host.groupIds()) {
                    if (!host.division(gid).map(UpdaterWakeups::installed).orElse(false)) {
                        return false;
                    }
                    divisions++;
                }
            }
            return divisions >= cluster.size() * 3; // metadata and both partitions on every node
        });
        int count = 20;
        try (KafkaProducer<String, String> p = producer("all", true, "none")) {
            for (int i = 0; i < count; i++) {
                RecordMetadata md = p.send(new ProducerRecord<>(topic, i % 2, "k", "v" + i)).get();
                assertEquals(i / 2, md.offset(), "offset of write " + i);
                // Every replica applies the write before the next one: each follower's updater, idle between
                // writes, must be woken by the commit it learns of, not by a timeout.
                InJvmCluster.await("write " + i + " applied on every replica", 10_000,
                        ClusterRoundTripTest::everyReplicaAppliedItsLeadersCommits);
            }
        }
        Map<Integer, List<ConsumerRecord<String, String>>> read = readAll(topic, 2, count);
        assertEquals(count / 2, read.get(0).size());
        assertEquals(count / 2, read.get(1).size());
    }

    /** Every division on every node has applied what its group's leader has committed. */
    private static boolean everyReplicaAppliedItsLeadersCommits() {
        Map<org.apache.ratis.protocol.RaftGroupId, Long> committed = new HashMap<>();
        for (int n = 1; n <= cluster.size(); n++) {
            RaftHost host = cluster.node(n).raftHost();
            for (org.apache.ratis.protocol.RaftGroupId gid : host.groupIds()) {
                host.division(gid).filter(d -> d.getInfo().isLeader())
                        .ifPresent(d -> committed.put(gid, d.getRaftLog().getLastCommittedIndex()));
            }
        }
        for (int n = 1; n <= cluster.size(); n++) {
            RaftHost host = cluster.node(n).raftHost();
            for (org.apache.ratis.protocol.RaftGroupId gid : host.groupIds()) {
                Long leaderCommitted = committed.get(gid);
                long applied = host.division(gid).map(d -> d.getInfo().getLastAppliedIndex()).orElse(-1L);
                if (leaderCommitted == null || applied < leaderCommitted) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Each acknowledged write is one Raft entry on every replica, and nothing else is logged per write: Ratis's
     * commit-index entries are off (RaftHost), which halved the log writes, fsyncs and follower round trips.
     */
    @Test
    void theRaftLogHoldsOneEntryPerWriteAndNoCommitIndexEntries() throws Exception {
        String topic = "no-commit-entries";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get();
        int count = 10;
        try (KafkaProducer<String, String> p = producer("all", true, "none")) {
            for (int i = 0; i < count; i++) {
                p.send(new ProducerRecord<>(topic, 0, "k", "v" + i)).get(); // one write, one entry
            }
        }
        RaftGroupId gid = GroupIds.partition(
                Uuids.fromKafka(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId()), 0);
        for (int n = 1; n <= cluster.size(); n++) {
            RaftLog log = cluster.node(n).raftHost().division(gid).orElseThrow().getRaftLog();
            int[] kinds = new int[2]; // [writes, commit-index entries]
            InJvmCluster.await("node's log holds the " + count + " writes", 10_000, () -> {
                kinds[0] = 0;
                kinds[1] = 0;
                for (LogEntryHeader h : log.getEntries(log.getStartIndex(), log.getNextIndex())) {
                    kinds[0] += h.getLogEntryBodyCase() == LogEntryBodyCase.STATEMACHINELOGENTRY ? 1 : 0;
                    kinds[1] += h.getLogEntryBodyCase() == LogEntryBodyCase.METADATAENTRY ? 1 : 0;
                }
                return kinds[0] >= count;
            });
            assertEquals(count, kinds[0], "node " + n + ": one entry per write");
            assertEquals(0, kinds[1], "node " + n + ": commit-index entries");
        }
    }

    @Test
    void acksOne() throws Exception {
        roundTrip("rt-acks1", "1", false, "none", 2_000);
    }

    @Test
    void acksZero() throws Exception {
        roundTrip("rt-acks0", "0", false, "gzip", 2_000);
    }

    @Test
    void listOffsetsAndConfigs() throws Exception {
        String topic = "offsets";
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3))).all().get();
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> p = producer("all", true, "none")) {
            for (int i = 0; i < 10; i++) {
                // One batch per send: each has its own timestamp, 1000 + 100 * i.
                p.send(new ProducerRecord<>(topic, 0, 1000L + 100 * i, "k", "v" + i)).get();
            }
        }
        try (KafkaConsumer<String, String> c = consumer()) {
            assertEquals(0L, c.beginningOffsets(List.of(tp)).get(tp));
            assertEquals(10L, c.endOffsets(List.of(tp)).get(tp));
            assertEquals(4L, c.offsetsForTimes(Map.of(tp, 1400L)).get(tp).offset());
            assertEquals(null, c.offsetsForTimes(Map.of(tp, 5000L)).get(tp));
        }
        var maxTs = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.maxTimestamp()))
                .partitionResult(tp).get();
        assertEquals(9L, maxTs.offset());
        assertEquals(1900L, maxTs.timestamp());
        var resource = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertEquals("2", config.get("min.insync.replicas").value());
    }

    @Test
    void topicsDescribeAndErrors() throws Exception {
        admin.createTopics(List.of(new NewTopic("described", 4, (short) 2))).all().get();
        TopicDescription d = admin.describeTopics(List.of("described")).allTopicNames().get().get("described");
        assertEquals(4, d.partitions().size());
        d.partitions().forEach(p -> assertEquals(2, p.replicas().size()));
        ExecutionException exists = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("described", 1, (short) 1))).all().get());
        assertInstanceOf(TopicExistsException.class, exists.getCause());
        ExecutionException rf = assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic("too-many-replicas", 1, (short) 4))).all().get());
        assertInstanceOf(InvalidReplicationFactorException.class, rf.getCause());
        assertTrue(admin.listTopics().names().get().contains("described"));
        java.util.Set<org.apache.ratis.protocol.RaftGroupId> groups = new java.util.HashSet<>();
        for (int p = 0; p < 4; p++) {
            groups.add(GroupIds.partition(io.rlog.kafka.api.Uuids.fromKafka(d.topicId()), p));
        }
        InJvmCluster.await("4 partitions x 2 replicas hosted", 30_000, () -> hostedReplicas(groups) == 8);
        admin.deleteTopics(List.of("described")).all().get();
        InJvmCluster.await("topic gone", 10_000, () -> {
            try {
                return !admin.listTopics().names().get().contains("described");
            } catch (Exception e) {
                return false;
            }
        });
        InJvmCluster.await("every replica of the deleted topic removed", 30_000, () -> hostedReplicas(groups) == 0);
    }

    /** How many of these groups the cluster's nodes host, counting each node's copy. */
    private static int hostedReplicas(java.util.Set<org.apache.ratis.protocol.RaftGroupId> groups) {
        int hosted = 0;
        for (int n = 1; n <= cluster.size(); n++) {
            for (org.apache.ratis.protocol.RaftGroupId gid : cluster.node(n).raftHost().groupIds()) {
                hosted += groups.contains(gid) ? 1 : 0;
            }
        }
        return hosted;
    }
}
