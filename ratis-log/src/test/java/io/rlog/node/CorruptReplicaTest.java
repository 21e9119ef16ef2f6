package io.rlog.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlog.kafka.api.Uuids;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's replica of a partition whose Raft log fails its checksum when the node restarts: the node starts
 * anyway (it used to fail as a whole: Ratis loads every group before it serves any), sets the replica's folder
 * aside, gets the replica back empty from the metadata leader and catches it up; nothing acknowledged is lost.
 * Three real nodes in this JVM, real Ratis and RocksDB, the Kafka clients over real sockets.
 */
class CorruptReplicaTest {
    private static final String TOPIC = "corrupted";
    private static final int BEFORE = 300;
    private static final int AFTER = 50;

    @Test
    void aCorruptReplicaIsSetAsideAndRebuiltWhileTheNodeServes(@TempDir Path dir) throws Exception {
        corruptAFollowerAndRebuildIt(dir, CorruptReplicaTest::corruptLastEntries);
    }

    /** The same when the replica's last batch file lost its end (the index refers past it). */
    @Test
    void aReplicaWhoseBatchFileLostItsEndIsSetAsideAndRebuilt(@TempDir Path dir) throws Exception {
        corruptAFollowerAndRebuildIt(dir, CorruptReplicaTest::cutLastBatchFile);
    }

    private interface Corruption {
        void corrupt(Path groupFolder) throws Exception;
    }

    private static void corruptAFollowerAndRebuildIt(Path dir, Corruption corruption) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, Map.of());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();
            RaftGroupId gid = GroupIds.partition(Uuids.fromKafka(
                    admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).topicId()), 0);
            List<String> sent = new ArrayList<>();
            produce(cluster, 0, BEFORE, sent);
            InJvmCluster.await("every replica applied the writes", 30_000, () -> caughtUp(cluster, gid, 3));

            int follower = followerOf(cluster, gid);
            cluster.restart(follower, data -> corruption.corrupt(data.resolve("raft").resolve(gid.getUuid().toString())));

            RlogServer restarted = cluster.node(follower);
            InJvmCluster.await("restarted node healthy", 30_000, restarted::healthy);
            Path aside = dir.resolve("node-" + follower).resolve(CorruptReplicas.DIR);
            try (Stream<Path> folders = Files.list(aside)) {
                List<String> names = folders.map(p -> p.getFileName().toString()).toList();
                assertEquals(1, names.size(), names.toString());
                assertTrue(names.get(0).startsWith(gid.getUuid() + "-"), names.toString());
            }
            assertTrue(restarted.metrics().contains("\nrlog_corrupt_replicas_set_aside 1\n"), restarted.metrics());
            InJvmCluster.await("the replica added again and caught up", 60_000, () -> caughtUp(cluster, gid, 3));

            produce(cluster, BEFORE, AFTER, sent);
            InJvmCluster.await("every replica applied the later writes", 30_000, () -> caughtUp(cluster, gid, 3));
            assertEquals(BEFORE + AFTER, restarted.raftHost().partition(gid).orElseThrow().highWatermark(),
                    "the rebuilt replica holds every record");
            assertEquals(sent, readAll(cluster, BEFORE + AFTER), "every acknowledged record, once, in order");
        }
    }

    /** Flips bytes inside the last written entries of the replica's open Raft log segment. */
    private static void corruptLastEntries(Path group) throws Exception {
        Path segment;
        try (Stream<Path> files = Files.list(group.resolve("current"))) {
            segment = files.filter(f -> f.getFileName().toString().startsWith("log_"))
                    .max(Comparator.comparingLong(CorruptReplicaTest::written)).orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(segment);
        int end = (int) written(segment);
        assertTrue(end > 1_000, "the segment holds the writes: " + end + " bytes");
        for (int i = end - 100; i < end - 90; i++) {
            bytes[i] ^= (byte) 0xff;
        }
        Files.write(segment, bytes);
    }

    /** Cuts 10 bytes off the newest of the replica's batch files. */
    private static void cutLastBatchFile(Path group) throws Exception {
        Path file;
        try (Stream<Path> files = Files.list(group.resolve("db").resolve("segments"))) {
            file = files.max(Comparator.comparing(Path::getFileName)).orElseThrow();
        }
        long size = Files.size(file);
        assertTrue(size > 1_000, "the file holds the writes: " + size + " bytes");
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size - 10);
        }
    }

    /** Bytes up to the last non-zero one (Ratis preallocates segments with zeros). */
    private static long written(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            int n = b.length;
            while (n > 0 && b[n - 1] == 0) {
                n--;
            }
            return n;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every one of {@code replicas} nodes hosts the group and has applied what its leader committed. */
    private static boolean caughtUp(InJvmCluster cluster, RaftGroupId gid, int replicas) {
        long committed = -1;
        List<Long> applied = new ArrayList<>();
        for (int n = 1; n <= cluster.size(); n++) {
            var division = cluster.node(n).raftHost().division(gid);
            if (division.isEmpty()) {
                continue;
            }
            RaftServer.Division d = division.get();
            try {
                if (d.getInfo().isLeader()) {
                    committed = d.getRaftLog().getLastCommittedIndex();
                }
                applied.add(d.getInfo().getLastAppliedIndex());
            } catch (IllegalStateException starting) {
                return false; // a division still initializing has no log or updater to ask yet
            }
        }
        long c = committed;
        return applied.size() == replicas && c >= 0 && applied.stream().allMatch(a -> a >= c);
    }

    private static int followerOf(InJvmCluster cluster, RaftGroupId gid) {
        for (int n = 1; n <= cluster.size(); n++) {
            if (cluster.node(n).raftHost().division(gid).map(d -> !d.getInfo().isLeader()).orElse(false)) {
                return n;
            }
        }
        throw new AssertionError("no follower of " + gid);
    }

    private static void produce(InJvmCluster cluster, int from, int count, List<String> sent) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < from + count; i++) {
                String value = "v" + i;
                producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get();
                sent.add(value);
            }
        }
    }

    private static List<String> readAll(InJvmCluster cluster, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
