package io.rlog.node;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's stage histograms (/metrics) count every produce request of the partition's leader once per step,
 * and the steps nest: an entry's time in Raft covers its admission, commit and apply, and a request's time in
 * the node covers its wait in the queue and its entry's time in Raft.
 */
class ProduceStagesTest {

    private static final String TOPIC = "stages";
    private static final int RECORDS = 20;
    private static final Pattern SUM = Pattern.compile("rlog_produce_stage_seconds_sum\\{stage=\"(\\w+)\"} ([0-9.E-]+)");
    private static final Pattern COUNT = Pattern.compile("rlog_produce_stage_seconds_count\\{stage=\"(\\w+)\"} (\\d+)");

    @TempDir
    Path dir;

    @Test
    void everyStepOfEveryRequestIsCountedOnTheLeaderAndTheStepsNest() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, Map.of());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(cluster))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get(30, TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(TOPIC, 0, "k", "warm-up")).get(30, TimeUnit.SECONDS);
            int leader = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC)
                    .partitions().get(0).leader().id();
            Map<Integer, Map<String, double[]>> before = new HashMap<>();
            for (int k = 1; k <= cluster.size(); k++) {
                before.put(k, stages(cluster.node(k).metrics()));
            }

            // One at a time: each request is its own Raft entry.
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, "k", "v" + i)).get(30, TimeUnit.SECONDS);
            }

            for (int k = 1; k <= cluster.size(); k++) {
                Map<String, double[]> now = stages(cluster.node(k).metrics());
                for (StageLatencies.Stage stage : StageLatencies.Stage.values()) {
                    double counted = now.get(stage.label)[1] - before.get(k).get(stage.label)[1];
                    assertEquals(k == leader ? RECORDS : 0, counted, "node " + k + ", stage " + stage.label
                            + " (leader: node " + leader + ")");
                }
            }
            Map<String, double[]> now = stages(cluster.node(leader).metrics());
            Map<String, Double> seconds = new HashMap<>();
            now.forEach((stage, v) -> seconds.put(stage, v[0] - before.get(leader).get(stage)[0]));
            assertTrue(seconds.get("commit") > 0, "commits take time: " + seconds);
            assertTrue(seconds.get("raft") >= seconds.get("admit") + seconds.get("commit") + seconds.get("apply"),
                    "an entry's time in Raft covers its admission, commit and apply: " + seconds);
            assertTrue(seconds.get("produce") >= seconds.get("queue") + seconds.get("raft"),
                    "a request's time in the node covers its queue wait and its entry's time in Raft: " + seconds);
        }
    }

    /** stage -> {sum of seconds, count}, from a node's /metrics text. */
    private static Map<String, double[]> stages(String metrics) {
        Map<String, double[]> out = new HashMap<>();
        Matcher sum = SUM.matcher(metrics);
        while (sum.find()) {
            out.computeIfAbsent(sum.group(1), s -> new double[2])[0] = Double.parseDouble(sum.group(2));
        }
        Matcher count = COUNT.matcher(metrics);
        while (count.find()) {
            out.computeIfAbsent(count.group(1), s -> new double[2])[1] = Double.parseDouble(count.group(2));
        }
        assertEquals(StageLatencies.Stage.values().length, out.size(), metrics);
        return out;
    }

    private static Map<String, Object> producerConfig(InJvmCluster cluster) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return c;
    }
}
