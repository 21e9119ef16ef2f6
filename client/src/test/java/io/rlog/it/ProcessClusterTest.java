package io.rlog.it;

import io.rlog.cli.local.LocalCluster;
import io.rlog.cli.local.PortScheme;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** A real 3-node cluster of separate `rlog server` processes, shared by the tests of a subclass. */
abstract class ProcessClusterTest {

    @TempDir
    static Path dir;
    static LocalCluster cluster;
    static Admin admin;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalCluster.start(dir.resolve("cluster"), PortScheme.findFree(3), Map.of(),
                io.rlog.cli.local.LaunchOptions.defaults(), System.err::println);
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

    static void createTopic(String name, int partitions, int rf) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) rf))).all().get();
    }

    static int leaderOf(String topic, int partition) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .get(partition).leader().id();
    }

    /** Every record of the topic from the beginning, per partition, waiting until {@code expected} arrived. */
    static List<List<ConsumerRecord<String, String>>> readAll(String topic, int partitions, int expected,
                                                              Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<List<ConsumerRecord<String, String>>> out = new ArrayList<>();
        List<TopicPartition> tps = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            out.add(new ArrayList<>());
            tps.add(new TopicPartition(topic, i));
        }
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.assign(tps);
            c.seekToBeginning(tps);
            int total = 0;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (total < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(300))) {
                    out.get(r.partition()).add(r);
                    total++;
                }
            }
        }
        return out;
    }
}
