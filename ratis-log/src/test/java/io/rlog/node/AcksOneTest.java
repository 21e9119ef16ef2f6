package io.rlog.node;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * acks=1 is answered once the entry is in the leader's log, with the offset apply will give it (DESIGN, the write
 * path, step 5), and consumers still see only what committed.
 */
class AcksOneTest {

    private static final String TOPIC = "acks-one";
    private static final int TIMEOUT_S = 30;
    /**
     * A leader steps down when no follower answered within the maximum election timeout: long enough here that
     * holding the followers back for the test's few seconds does not depose it (which could lose the acks=1 record).
     */
    private static final Map<String, String> SLOW_ELECTIONS = Map.of("raft.election.timeout.min.ms", "5000",
            "raft.election.timeout.max.ms", "10000");

    @TempDir
    Path dir;

    /**
     * Both followers hold back every appendEntries of the partition's group that carries entries, so nothing can
     * commit. An acks=1 send is acknowledged all the same, while the leader's high watermark has not moved; an
     * acks=all send is not, and a consumer sees neither. Once the followers let go, both records are read back at
     * the offsets their producers were given, and no replica's apply contradicted the leader's look-ahead.
     */
    @Test
    void acksOneIsAnsweredBeforeCommitWithTheOffsetApplyGivesIt() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, SLOW_ELECTIONS);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
             KafkaProducer<String, String> acksOne = new KafkaProducer<>(producerConfig(cluster, "1"));
             KafkaProducer<String, String> acksAll = new KafkaProducer<>(producerConfig(cluster, "all"))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            // Connections, metadata and the leader's look-ahead, before anything is held back.
            for (int i = 0; i < 3; i++) {
                acksOne.send(new ProducerRecord<>(TOPIC, 0, "k", "one-" + i)).get(TIMEOUT_S, TimeUnit.SECONDS);
                acksAll.send(new ProducerRecord<>(TOPIC, 0, "k", "all-" + i)).get(TIMEOUT_S, TimeUnit.SECONDS);
            }
            RaftGroupId gid = group(admin);
            int leader = leaderOf(cluster, gid);
            var machine = cluster.node(leader).raftHost().partition(gid).orElseThrow();
            InJvmCluster.await("every warm-up record committed", TIMEOUT_S * 1000L, () -> machine.highWatermark() == 6);

            Object leaderId = RaftHost.peerId(leader);
            CountDownLatch held = new CountDownLatch(1);
            InJvmCluster.holdAppendEntries(gid, local -> !leaderId.equals(local), () -> held, 20);
            RecordMetadata one;
            Future<RecordMetadata> all;
            try {
                one = acksOne.send(new ProducerRecord<>(TOPIC, 0, "k", "one-held")).get(TIMEOUT_S, TimeUnit.SECONDS);
                assertEquals(6, machine.highWatermark(), "acks=1 was answered before its entry committed");
                assertEquals(6, one.offset(), "the offset after the six committed records");
                all = acksAll.send(new ProducerRecord<>(TOPIC, 0, "k", "all-held"));
                assertThrows(TimeoutException.class, () -> all.get(500, TimeUnit.MILLISECONDS),
                        "acks=all waits for the quorum");
                assertTrue(readFrom(cluster, 6, 1, Duration.ofMillis(500)).isEmpty(), "nothing uncommitted is read");
            } finally {
                held.countDown();
                CodeInjectionForTesting.remove(InJvmCluster.RATIS_APPEND_ENTRIES);
            }
            RecordMetadata allMeta = all.get(TIMEOUT_S, TimeUnit.SECONDS);
            assertEquals(7, allMeta.offset());

            List<ConsumerRecord<String, String>> read = readFrom(cluster, 0, 8, Duration.ofSeconds(TIMEOUT_S));
            assertEquals(8, read.size());
            assertEquals("one-held", read.get((int) one.offset()).value());
            assertEquals("all-held", read.get((int) allMeta.offset()).value());
            assertEquals(0, machine.projectionMismatches(), "apply agreed with every reply the leader projected");
        }
    }

    private static RaftGroupId group(Admin admin) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS)
                .get(TOPIC);
        org.apache.kafka.common.Uuid id = d.topicId();
        return GroupIds.partition(new UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()), 0);
    }

    private static int leaderOf(InJvmCluster cluster, RaftGroupId gid) throws InterruptedException {
        int[] leader = {0};
        InJvmCluster.await("a leader of " + TOPIC + "-0", TIMEOUT_S * 1000L, () -> {
            for (int k = 1; k <= cluster.size(); k++) {
                if (cluster.node(k).raftHost().division(gid).map(d -> d.getInfo().isLeader()).orElse(false)) {
                    leader[0] = k;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static Map<String, Object> producerConfig(InJvmCluster cluster, String acks) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        c.put(ProducerConfig.ACKS_CONFIG, acks);
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all"));
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return c;
    }

    /** Up to {@code max} records of partition 0 from {@code offset}, polling until {@code within} has passed. */
    private static List<ConsumerRecord<String, String>> readFrom(InJvmCluster cluster, long offset, int max,
                                                               Duration within) {
        List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
        try (KafkaConsumer<String, String> consumer = cluster.stringConsumer()) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + within.toNanos();
            while (records.size() < max && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        assertFalse(records.size() > max, "more records than written: " + records.size());
        return records;
    }
}
