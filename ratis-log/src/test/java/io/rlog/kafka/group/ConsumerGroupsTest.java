package io.rlog.kafka.group;

import io.rlog.node.InJvmCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups with unmodified kafka-clients 4.4 consumers against a real 3-node cluster (one JVM, real sockets,
 * Ratis and RocksDB). One cluster and one six-partition topic serve every test; each test has its own groups.
 */
class ConsumerGroupsTest {

    static final String SIX = "six";
    static final int SIX_RECORDS = 600;

    @TempDir
    static Path dir;
    static InJvmCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, GroupClients.nodeSettings());
        admin = GroupClients.admin(cluster.bootstrapServers());
        admin.createTopics(List.of(new NewTopic(SIX, 6, (short) 3))).all().get();
        GroupClients.produce(bootstrap(), SIX, 6, 0, SIX_RECORDS);
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

    static String bootstrap() {
        return cluster.bootstrapServers();
    }

    static List<ConsumerRunner> members(String group, String assignor, int count, boolean manualCommit, String topic) {
        List<ConsumerRunner> runners = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            runners.add(new ConsumerRunner(group + "-" + i, GroupClients.consumerProps(bootstrap(), group, assignor),
                    List.of(topic), manualCommit));
        }
        return runners;
    }

    /** Whether the runners' assignments are disjoint and cover exactly {@code partitions} partitions of {@code topic}. */
    static boolean ownsAll(List<ConsumerRunner> runners, String topic, int partitions, int eachMin) {
        Set<TopicPartition> union = new HashSet<>();
        int total = 0;
        for (ConsumerRunner r : runners) {
            Set<TopicPartition> a = r.assignment();
            if (a.size() < eachMin) {
                return false;
            }
            total += a.size();
            union.addAll(a);
        }
        return total == partitions && union.size() == partitions
                && union.stream().allMatch(tp -> tp.topic().equals(topic) && tp.partition() < partitions);
    }

    static void closeAll(List<ConsumerRunner> runners) throws InterruptedException {
        for (ConsumerRunner r : runners) {
            r.close();
        }
        for (ConsumerRunner r : runners) {
            assertNull(r.failure.get(), () -> r.name + " failed: " + r.failure.get());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void threeMembersSplitSixPartitionsEvenly(String assignor) throws Exception {
        String group = "split-" + assignor;
        List<ConsumerRunner> runners = members(group, assignor, 3, false, SIX);
        try {
            GroupClients.await("3 members owning 2 partitions each under " + assignor, 60_000,
                    () -> ownsAll(runners, SIX, 6, 2) && runners.stream().allMatch(r -> r.assignment().size() == 2));
            GroupClients.await("every record consumed once", 60_000,
                    () -> runners.stream().mapToInt(r -> r.consumed.size()).sum() >= SIX_RECORDS);
            Set<String> values = new HashSet<>();
            runners.forEach(r -> r.consumed.forEach(c -> values.add(c.value())));
            assertEquals(SIX_RECORDS, values.size());
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertEquals(GroupState.STABLE, d.groupState());
            assertEquals(3, d.members().size());
            d.members().forEach(m -> assertEquals(2, m.assignment().topicPartitions().size()));
        } finally {
            closeAll(runners);
        }
    }

    @Test
    void survivorsTakeOverALeavingMembersPartitions() throws Exception {
        List<ConsumerRunner> runners = members("leave", "range", 3, false, SIX);
        try {
            GroupClients.await("3 members sharing 6 partitions", 60_000, () -> ownsAll(runners, SIX, 6, 1));
            ConsumerRunner leaving = runners.remove(0);
            long start = System.nanoTime();
            leaving.close();
            GroupClients.await("survivors owning all 6 partitions", GroupClients.SESSION_TIMEOUT_MS,
                    () -> ownsAll(runners, SIX, 6, 1));
            System.out.printf("figure: survivors owned a leaving member's partitions after %d ms%n",
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            closeAll(runners);
        }
    }

    @Test
    void twoGroupsReadTheSameTopicIndependently() throws Exception {
        List<ConsumerRunner> a = members("fan-a", null, 2, true, SIX);
        List<ConsumerRunner> b = members("fan-b", null, 1, true, SIX);
        try {
            GroupClients.await("both groups read everything", 60_000, () ->
                    distinct(a) >= SIX_RECORDS && distinct(b) >= SIX_RECORDS);
        } finally {
            closeAll(a);
            closeAll(b);
        }
        for (String g : List.of("fan-a", "fan-b")) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(g)
                    .partitionsToOffsetAndMetadata().get();
            assertEquals(6, offsets.size(), g);
            offsets.values().forEach(o -> assertEquals(SIX_RECORDS / 6, o.offset(), g));
        }
    }

    static int distinct(List<ConsumerRunner> runners) {
        Set<String> values = new HashSet<>();
        runners.forEach(r -> r.consumed.forEach(c -> values.add(c.value())));
        return values.size();
    }

    /** Members come and go while a manually committing group reads: nothing is lost, offsets end at the log end. */
    @Test
    void atLeastOnceWithManualCommitLosesNothingAcrossRebalances() throws Exception {
        String topic = "alo";
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get();
        int total = 3_000;
        GroupClients.produce(bootstrap(), topic, 3, 0, total / 2);
        List<ConsumerRunner> all = new ArrayList<>();
        List<ConsumerRunner> first = members("alo", "cooperative-sticky", 1, true, topic);
        all.addAll(first);
        try {
            GroupClients.await("some progress", 60_000, () -> first.get(0).consumed.size() > 100);
            List<ConsumerRunner> second = members("alo", "cooperative-sticky", 2, true, topic);
            all.addAll(second);
            GroupClients.produce(bootstrap(), topic, 3, total / 2, total / 2);
            GroupClients.await("three members", 60_000, () -> ownsAll(all, topic, 3, 1));
            first.get(0).close();
            GroupClients.await("everything read", 60_000, () -> distinct(all) >= total);
        } finally {
            closeAll(all);
        }
        assertEquals(total, distinct(all), "every record was consumed at least once");
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("alo")
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (KafkaConsumer<String, String> c = GroupClients.consumer(bootstrap(), "unused", null)) {
            ends.putAll(c.endOffsets(offsets.keySet()));
        }
        offsets.forEach((tp, o) -> assertEquals(ends.get(tp), o.offset(), "committed offset of " + tp));
    }

    @Test
    void newPartitionsAreAssignedAfterCreatePartitions() throws Exception {
        String topic = "grow";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 3))).all().get();
        List<ConsumerRunner> runners = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Properties p = GroupClients.consumerProps(bootstrap(), "grow", "range");
            p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
            runners.add(new ConsumerRunner("grow-" + i, p, List.of(topic), false));
        }
        try {
            GroupClients.await("2 partitions owned", 60_000, () -> ownsAll(runners, topic, 2, 1));
            admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get();
            assertEquals(4, admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size());
            GroupClients.await("4 partitions owned", 60_000, () -> ownsAll(runners, topic, 4, 2));
            GroupClients.produce(bootstrap(), topic, 4, 0, 40);
            GroupClients.await("records of the new partitions read", 60_000, () -> runners.stream()
                    .flatMap(r -> r.consumed.stream()).filter(r -> r.partition() >= 2).count() >= 20);
        } finally {
            closeAll(runners);
        }
        ExecutionException e = assertThrows(ExecutionException.class, () ->
                admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get());
        assertInstanceOf(org.apache.kafka.common.errors.InvalidPartitionsException.class, e.getCause());
    }

    @Test
    void autoOffsetResetNoneLatestAndEarliest() throws Exception {
        Properties none = GroupClients.consumerProps(bootstrap(), "reset-none", null);
        none.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(none)) {
            c.subscribe(List.of(SIX));
            assertThrows(NoOffsetForPartitionException.class, () -> {
                long deadline = System.currentTimeMillis() + 60_000;
                while (System.currentTimeMillis() < deadline) {
                    c.poll(Duration.ofMillis(200));
                }
            });
        }
        Properties latest = GroupClients.consumerProps(bootstrap(), "reset-latest", null);
        latest.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(latest)) {
            c.subscribe(List.of(SIX));
            GroupClients.await("assignment", 60_000, () -> {
                c.poll(Duration.ofMillis(100));
                return c.assignment().size() == 6;
            });
            c.assignment().forEach(tp -> assertEquals(SIX_RECORDS / 6, c.position(tp)));
        }
    }

    /** The admin path of kafka-consumer-groups: list, describe, reset (alter offsets), delete offsets and groups. */
    @Test
    void adminListDescribeResetAndDelete() throws Exception {
        List<ConsumerRunner> runners = members("admin", null, 1, true, SIX);
        try {
            GroupClients.await("read all", 60_000, () -> distinct(runners) >= SIX_RECORDS);
            Set<String> listed = admin.listGroups().all().get().stream().map(GroupListing::groupId)
                    .collect(Collectors.toSet());
            assertTrue(listed.contains("admin"), listed.toString());
            ExecutionException busy = assertThrows(ExecutionException.class,
                    () -> admin.deleteConsumerGroups(List.of("admin")).all().get());
            assertInstanceOf(GroupNotEmptyException.class, busy.getCause());
        } finally {
            closeAll(runners);
        }
        TopicPartition p0 = new TopicPartition(SIX, 0);
        admin.alterConsumerGroupOffsets("admin", Map.of(p0, new OffsetAndMetadata(7))).all().get();
        assertEquals(7, admin.listConsumerGroupOffsets("admin").partitionsToOffsetAndMetadata().get().get(p0).offset());
        admin.deleteConsumerGroupOffsets("admin", Set.of(p0)).all().get();
        assertNull(admin.listConsumerGroupOffsets("admin").partitionsToOffsetAndMetadata().get().get(p0));
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("admin")).all().get().get("admin");
        assertEquals(GroupState.EMPTY, d.groupState());
        admin.deleteConsumerGroups(List.of("admin")).all().get();
        assertTrue(admin.listConsumerGroupOffsets("admin").partitionsToOffsetAndMetadata().get().isEmpty());
        ExecutionException gone = assertThrows(ExecutionException.class,
                () -> admin.deleteConsumerGroups(List.of("admin")).all().get());
        assertInstanceOf(GroupIdNotFoundException.class, gone.getCause());
        ConsumerGroupDescription dead = admin.describeConsumerGroups(List.of("never-was")).all().get().get("never-was");
        assertEquals(GroupState.DEAD, dead.groupState());
        assertTrue(dead.members().isEmpty());
    }
}
