package io.rlog.it;

import io.rlog.cli.Main;
import io.rlog.it.RlogCommand.Run;
import io.rlog.cli.local.LaunchOptions;
import io.rlog.cli.local.LocalCluster;
import io.rlog.cli.local.PortScheme;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consumer groups on a cluster of real `rlog server` processes: the `rlog` group commands, a member whose process
 * is SIGKILLed (it never sends LeaveGroup), and the coordinator's node SIGKILLed while a group commits. The kills
 * come last: they change the cluster.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupsProcessTest {
    /** Low session timeout of these tests (the coordinator's minimum is 6 s, as Kafka's). */
    static final int SESSION_TIMEOUT_MS = 6_000;
    /** Kafka 4's consumer default, measured only when -Drlog.figures=true (it makes the test 45 s longer). */
    static final int DEFAULT_SESSION_TIMEOUT_MS = 45_000;

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Admin admin;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalCluster.start(dir.resolve("cluster"), PortScheme.findFree(3),
                Map.of("group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions", "4"),
                LaunchOptions.defaults().withStartTimeout(java.time.Duration.ofSeconds(180)), System.err::println);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        admin = Admin.create(p);
    }

    @AfterAll
    static void stopCluster() {
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static void produce(String topic, int partitions, int from, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    static Run rlog(String... args) {
        return RlogCommand.run("", args);
    }

    static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Test
    @Order(1)
    void rlogConsumesInAGroupAndShowsAndResetsItsLag() throws Exception {
        admin.createTopics(List.of(new NewTopic("cli", 2, (short) 3))).all().get();
        produce("cli", 2, 0, 20);
        String b = cluster.bootstrapServers();
        Run first = rlog("consume", "--bootstrap", b, "--topic", "cli", "--group", "cli-group", "--from-beginning",
                "--print-key", "--max-messages", "12", "--timeout-ms", "60000");
        assertEquals(0, first.exit(), first.err());
        assertEquals(12, first.out().lines().count());
        assertTrue(first.out().lines().allMatch(l -> l.matches("k\\d+\tv\\d+")), first.out());
        // The group resumes where it committed: the other 8 records, none again.
        Run second = rlog("consume", "--bootstrap", b, "--topic", "cli", "--group", "cli-group", "--from-beginning",
                "--max-messages", "8", "--timeout-ms", "60000");
        assertEquals(0, second.exit(), second.err());
        Set<String> all = new HashSet<>();
        first.out().lines().forEach(l -> all.add(l.split("\t")[1]));
        second.out().lines().forEach(all::add);
        assertEquals(20, all.size(), "every record exactly once across the two runs");

        Run list = rlog("groups", "list", "--bootstrap", b);
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("group=cli-group state=Empty protocol.type=consumer"), list.out());
        produce("cli", 2, 20, 6);
        Run describe = rlog("groups", "describe", "cli-group", "--bootstrap", b);
        assertEquals(0, describe.exit(), describe.err());
        assertTrue(describe.out().contains("topic=cli partition=0 committed=10 log.end=13 lag=3"), describe.out());
        assertTrue(describe.out().contains("topic=cli partition=1 committed=10 log.end=13 lag=3"), describe.out());

        Run reset = rlog("groups", "reset-offsets", "cli-group", "--topic", "cli", "--to-offset", "4", "--bootstrap", b);
        assertEquals(0, reset.exit(), reset.err());
        describe = rlog("groups", "describe", "cli-group", "--bootstrap", b);
        assertTrue(describe.out().contains("topic=cli partition=0 committed=4 log.end=13 lag=9"), describe.out());
        rlog("groups", "reset-offsets", "cli-group", "--topic", "cli", "--to-latest", "--bootstrap", b);
        assertTrue(rlog("groups", "describe", "cli-group", "--bootstrap", b).out()
                .contains("topic=cli partition=1 committed=13 log.end=13 lag=0"));
        rlog("groups", "reset-offsets", "cli-group", "--topic", "cli", "--to-earliest", "--bootstrap", b);
        assertTrue(rlog("groups", "describe", "cli-group", "--bootstrap", b).out()
                .contains("topic=cli partition=1 committed=0 log.end=13 lag=13"));
        Run missing = rlog("groups", "describe", "no-such-group", "--bootstrap", b);
        assertEquals(Main.EXIT_FAILED, missing.exit());
    }

    /** Starts {@link GroupMemberMain} in a child JVM; its stdout lines are collected. */
    static Process childMember(String group, String topic, int sessionTimeoutMs, List<String> lines) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), GroupMemberMain.class.getName(),
                cluster.bootstrapServers(), group, topic, String.valueOf(sessionTimeoutMs))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (Exception ignored) {
                // the process was killed
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    static long killedMemberTakeover(String group, int sessionTimeoutMs) throws Exception {
        String topic = "kill-member";
        List<String> childLines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Process child = childMember(group, topic, sessionTimeoutMs, childLines);
        List<Member> survivors = new ArrayList<>();
        try {
            await("the child member owns partitions", 120_000, () -> !childLines.isEmpty()
                    && !childLines.get(childLines.size() - 1).startsWith("assigned=0"));
            for (int i = 0; i < 2; i++) {
                survivors.add(new Member(Member.props(cluster.bootstrapServers(), group, sessionTimeoutMs), topic, false));
            }
            await("three members with two partitions each", 120_000, () -> childLines.get(childLines.size() - 1)
                    .startsWith("assigned=2") && survivors.stream().allMatch(m -> m.owned.get().size() == 2));
            long start = System.nanoTime();
            // SIGKILL: no LeaveGroup, no clean close; the coordinator learns of it by the session timeout only.
            child.destroyForcibly().waitFor();
            await("the survivors own all six partitions", sessionTimeoutMs + 60_000, () -> {
                Set<TopicPartition> union = new HashSet<>();
                survivors.forEach(m -> union.addAll(m.owned.get()));
                return union.size() == 6 && survivors.stream().mapToInt(m -> m.owned.get().size()).sum() == 6;
            });
            return (System.nanoTime() - start) / 1_000_000;
        } finally {
            child.destroyForcibly();
            for (Member m : survivors) {
                m.close();
                assertNull(m.failure.get(), () -> "member failed: " + m.failure.get());
            }
        }
    }

    @Test
    @Order(2)
    void survivorsTakeOverAKilledMembersPartitions() throws Exception {
        admin.createTopics(List.of(new NewTopic("kill-member", 6, (short) 3))).all().get();
        long ms = killedMemberTakeover("killed-low", SESSION_TIMEOUT_MS);
        System.out.printf("figure: member SIGKILL -> survivors own its partitions: %d ms (session.timeout.ms=%d)%n",
                ms, SESSION_TIMEOUT_MS);
        if (Boolean.getBoolean("rlog.figures")) {
            long slow = killedMemberTakeover("killed-default", DEFAULT_SESSION_TIMEOUT_MS);
            System.out.printf("figure: member SIGKILL -> survivors own its partitions: %d ms (session.timeout.ms=%d)%n",
                    slow, DEFAULT_SESSION_TIMEOUT_MS);
        }
    }

    /**
     * The coordinator's node is SIGKILLed while a member commits after every poll: the new leader of the offsets
     * partition holds every acknowledged commit, the member resumes from the committed offsets (nothing committed
     * is read again as if uncommitted, nothing is skipped), and committed offsets never go backwards.
     */
    @Test
    @Order(3)
    void committedOffsetsSurviveTheCoordinatorsSigkill() throws Exception {
        String topic = "kill-coordinator";
        String group = "killed-coordinator";
        int total = 6_000;
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3))).all().get();
        produce(topic, 3, 0, total);
        Member member = new Member(Member.props(cluster.bootstrapServers(), group, SESSION_TIMEOUT_MS), topic, true);
        int killed = -1;
        long killedAt;
        try {
            await("some commits", 120_000, () -> member.commits.size() >= 20);
            killed = admin.describeConsumerGroups(List.of(group)).all().get().get(group).coordinator().id();
            Map<TopicPartition, Long> ackedBeforeKill = lastCommits(member, Long.MAX_VALUE);
            killedAt = System.nanoTime();
            cluster.kill(killed);
            // The figure counts from the kill to the acknowledgement of the first commit sent after it.
            await("a commit after the kill", 120_000,
                    () -> member.commits.stream().anyMatch(c -> c.startNanos() > killedAt));
            long firstAfter = member.commits.stream().filter(c -> c.startNanos() > killedAt)
                    .mapToLong(Member.Commit::nanos).min().orElseThrow();
            System.out.printf("figure: coordinator node SIGKILL -> the group's next successful commit: %d ms%n",
                    (firstAfter - killedAt) / 1_000_000);
            await("everything read", 180_000, () -> distinct(member.consumed) >= total);
            // Durable: every commit acknowledged before the kill is visible after it.
            for (Member.Resume r : member.resumes) {
                if (r.nanos() > killedAt) {
                    Long acked = ackedBeforeKill.get(r.partition());
                    assertTrue(acked == null || r.offset() >= acked, "resumed " + r + " below the acknowledged " + acked);
                }
            }
        } finally {
            member.close();
            if (killed > 0) {
                cluster.restart(killed);
            }
        }
        assertNull(member.failure.get(), () -> "member failed: " + member.failure.get());
        assertEquals(total, distinct(member.consumed), "no record skipped");
        // Acknowledged commits of one partition never go backwards.
        Map<TopicPartition, Long> last = new HashMap<>();
        for (Member.Commit c : member.commits) {
            Long before = last.put(c.partition(), c.offset());
            assertTrue(before == null || c.offset() >= before, "commit of " + c.partition() + " went back from "
                    + before + " to " + c.offset());
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        committed.forEach((tp, o) -> assertEquals(total / 3, o.offset(), "final committed offset of " + tp));
    }

    static Map<TopicPartition, Long> lastCommits(Member m, long beforeNanos) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (Member.Commit c : m.commits) {
            if (c.nanos() < beforeNanos) {
                out.merge(c.partition(), c.offset(), Math::max);
            }
        }
        return out;
    }

    static int distinct(List<ConsumerRecord<String, String>> records) {
        Set<String> values = new HashSet<>();
        records.forEach(r -> values.add(r.value()));
        return values.size();
    }
}
