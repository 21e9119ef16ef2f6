package io.rlog.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real 3-node cluster loses a partition's leader (the node stops, its ports close): the follower chosen by
 * LostLeaderElections starts the election at once (Ratis accepts it), becomes the leader, and the records written
 * with acks=all before and after are all there.
 */
class LostLeaderElectionTest {
    private static final String TOPIC = "lost-leader";
    private static final long TIMEOUT_S = 30;
    private static final String APPEND_ENTRIES = InJvmCluster.RATIS_APPEND_ENTRIES;

    @TempDir
    Path dir;

    @Test
    void theChosenFollowerStartsTheElectionAndLeadsAndNothingIsLost() throws Exception {
        try (InJvmCluster cluster = withSlowRaftTimeouts(dir);
             Admin admin = Admin.create(
                     Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            List<Integer> replicas = createdWithItsFirstReplicaLeading(admin);
            int leader = replicas.get(0);
            produce(cluster, "before");
            int chosen = firstInLine(replicas, leader);
            long startedBefore = cluster.node(chosen).lostLeaderElectionsStarted();

            cluster.node(leader).close();

            awaitLeader(admin, chosen);
            assertTrue(cluster.node(chosen).lostLeaderElectionsStarted() > startedBefore,
                    "node " + chosen + " started the election itself");
            produce(cluster, "after");
            assertEquals(List.of("before", "after"), readAll(cluster, 2));
        }
    }

    /**
     * The chosen follower's log is shorter than the other follower's (the leader's appends to it fail), so the other
     * refuses its vote. With the watch for a refused vote off, the other follower stands half a second later, in the
     * fallback order, long before a Raft timeout (3-5 s).
     */
    @Test
    void whenTheChosenFollowersLogIsShorterTheNextOneStandsInTurnAndNothingIsLost() throws Exception {
        nextStandsWhenTheChosenOnesLogIsShorter(Map.of("peer.watch.election.refusal.poll.ms", "0"));
    }

    /**
     * The same, with the fallback order pushed past the test (60 s) and past Raft's timeouts: the other follower
     * sees that it refused the vote, and stands at once.
     */
    @Test
    void whenTheChosenFollowersLogIsShorterTheFollowerThatRefusedItsVoteStandsAndNothingIsLost()
            throws Exception {
        nextStandsWhenTheChosenOnesLogIsShorter(Map.of("peer.watch.election.fallback.ms", "60000"));
    }

    private void nextStandsWhenTheChosenOnesLogIsShorter(Map<String, String> settings) throws Exception {
        withItsThreeReplicas(settings, (cluster, admin, leader, chosen, next) -> {
            Object chosenId = RaftHost.peerId(chosen);
            Object leaderId = RaftHost.peerId(leader);
            // Every append from the leader to the chosen follower fails, in every group: its logs stop growing.
            CodeInjectionForTesting.put(APPEND_ENTRIES, (local, remote, args) -> {
                if (chosenId.equals(local) && leaderId.equals(remote)) {
                    throw new IllegalStateException("cut by the test");
                }
                return false;
            });
            try {
                produce(cluster, "before");
                long chosenBefore = cluster.node(chosen).lostLeaderElectionsStarted();
                long nextBefore = cluster.node(next).lostLeaderElectionsStarted();

                cluster.node(leader).close();

                awaitLeader(admin, next);
                assertTrue(cluster.node(chosen).lostLeaderElectionsStarted() > chosenBefore,
                        "node " + chosen + " stood first");
                assertTrue(cluster.node(next).lostLeaderElectionsStarted() > nextBefore,
                        "node " + next + " stood after it, without waiting for a Raft timeout");
            } finally {
                CodeInjectionForTesting.remove(APPEND_ENTRIES);
            }
            produce(cluster, "after");
            assertEquals(List.of("before", "after"), readAll(cluster, 2));
        });
    }

    /**
     * The chosen follower wins, but its first appends reach the other follower only after the fallback delay (500
     * ms): that follower, which voted for it, must not stand in turn and depose it with a newer term (under load the
     * two elections raced and cost 2 s more).
     */
    @Test
    void theFollowerThatVotedForTheChosenOneDoesNotStandWhileItsFirstAppendIsLate() throws Exception {
        // No __consumer_offsets: the count of elections a node started then covers this partition's group alone
        // (and the metadata group's, where the same follower is first in line).
        Map<String, String> settings = Map.of("offsets.topic.create.eagerly", "false");
        withItsThreeReplicas(settings, (cluster, admin, leader, chosen, next) -> {
            Object chosenId = RaftHost.peerId(chosen);
            Object nextId = RaftHost.peerId(next);
            produce(cluster, "before");
            long nextBefore = cluster.node(next).lostLeaderElectionsStarted();
            java.util.concurrent.atomic.AtomicLong heldUntil = new java.util.concurrent.atomic.AtomicLong();
            // Every append (heartbeats too) of the chosen one reaches the other follower no earlier than 1.5 s after
            // the first: past the 500 ms fallback.
            CodeInjectionForTesting.put(APPEND_ENTRIES, (local, remote, args) -> {
                if (nextId.equals(local) && chosenId.equals(remote)) {
                    heldUntil.compareAndSet(0, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500));
                    long wait = heldUntil.get() - System.nanoTime();
                    if (wait > 0) {
                        try {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
                return false;
            });
            try {
                cluster.node(leader).close();
                awaitLeader(admin, chosen);
            } finally {
                CodeInjectionForTesting.remove(APPEND_ENTRIES);
            }
            assertTrue(heldUntil.get() != 0, "the chosen one's appends to node " + next + " were held");
            assertEquals(nextBefore, cluster.node(next).lostLeaderElectionsStarted(),
                    "node " + next + " stood although it had voted for node " + chosen);
            produce(cluster, "after");
            assertEquals(List.of("before", "after"), readAll(cluster, 2));
        });
    }

    /** A test's steps, given the cluster and the partition's leader, first-in-line follower and other follower. */
    private interface ThreeReplicas {
        void run(InJvmCluster cluster, Admin admin, int leader, int chosen, int next) throws Exception;
    }

    /** Runs {@code steps} on a cluster with slow Raft timeouts whose topic's first replica leads. */
    private void withItsThreeReplicas(Map<String, String> settings, ThreeReplicas steps) throws Exception {
        try (InJvmCluster cluster = withSlowRaftTimeouts(dir, settings);
             Admin admin = Admin.create(
                     Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            List<Integer> replicas = createdWithItsFirstReplicaLeading(admin);
            int leader = replicas.get(0);
            int chosen = firstInLine(replicas, leader);
            int next = replicas.stream().filter(id -> id != leader && id != chosen).findFirst().orElseThrow();
            steps.run(cluster, admin, leader, chosen, next);
        }
    }

    /**
     * Creates the topic (one partition, RF 3) and waits until its first replica leads: it takes the leadership over
     * once caught up (priority 2). Returns the replicas in placement order.
     */
    private static List<Integer> createdWithItsFirstReplicaLeading(Admin admin) throws Exception {
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get(TIMEOUT_S, TimeUnit.SECONDS);
        List<Integer> replicas = new ArrayList<>();
        InJvmCluster.await("the first replica leading", TIMEOUT_S * 1000, () -> {
            try {
                int l = leader(admin, replicas);
                return !replicas.isEmpty() && l == replicas.get(0);
            } catch (Exception e) {
                return false;
            }
        });
        return replicas;
    }

    /**
     * Election timeouts of 3-5 s: a Raft timeout cannot elect anyone before the early elections do, so a new
     * leader is an early election's.
     */
    private static InJvmCluster withSlowRaftTimeouts(Path dir) throws Exception {
        return withSlowRaftTimeouts(dir, Map.of());
    }

    private static InJvmCluster withSlowRaftTimeouts(Path dir, Map<String, String> more) throws Exception {
        Map<String, String> settings = new HashMap<>(more);
        settings.put("raft.election.timeout.min.ms", "3000");
        settings.put("raft.election.timeout.max.ms", "5000");
        return new InJvmCluster(dir, 3, settings);
    }

    /**
     * The follower that stands first when {@code leader} is gone. Partition groups give the first replica priority
     * 2 and the others 1 (RaftHost): after it, the live voter of lowest id.
     */
    private static int firstInLine(List<Integer> replicas, int leader) {
        return replicas.stream().filter(id -> id != leader).min(Integer::compare).orElseThrow();
    }

    private static void awaitLeader(Admin admin, int expected) throws InterruptedException {
        InJvmCluster.await("node " + expected + " leading " + TOPIC + "-0", TIMEOUT_S * 1000, () -> {
            try {
                return leader(admin, new ArrayList<>()) == expected;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** One acknowledged record in partition 0. */
    private static void produce(InJvmCluster cluster, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(cluster))) {
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", value)).get(TIMEOUT_S, TimeUnit.SECONDS);
        }
    }

    /** The partition's leader as Metadata names it (-1 for none); fills {@code replicas} in placement order. */
    private static int leader(Admin admin, List<Integer> replicas) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS)
                .get(TOPIC);
        replicas.clear();
        d.partitions().get(0).replicas().forEach(n -> replicas.add(n.id()));
        Node leader = d.partitions().get(0).leader();
        return leader == null ? -1 : leader.id();
    }

    private static Map<String, Object> producerConfig(InJvmCluster cluster) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    }

    private static List<String> readAll(InJvmCluster cluster, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = cluster.stringConsumer()) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
