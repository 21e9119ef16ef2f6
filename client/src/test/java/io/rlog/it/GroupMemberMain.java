package io.rlog.it;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;

/**
 * A group member in its own JVM, so a test can SIGKILL it: its process dies without a LeaveGroup, as a crashed
 * consumer's does, and the coordinator only learns of it when its session times out. Prints
 * {@code assigned=<count> <partitions>} after every assignment change and polls until killed.
 * Arguments: bootstrap servers, group, topic, session timeout in ms.
 */
public final class GroupMemberMain {
    private GroupMemberMain() {}

    public static void main(String[] args) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(args[3]));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.min(3_000, Integer.parseInt(args[3]) / 6));
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        TreeSet<String> owned = new TreeSet<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(args[2]), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(tp -> owned.remove(tp.toString()));
                    report(owned);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    partitions.forEach(tp -> owned.add(tp.toString()));
                    report(owned);
                }
            });
            while (true) {
                c.poll(Duration.ofMillis(200));
            }
        }
    }

    private static void report(TreeSet<String> owned) {
        System.out.println("assigned=" + owned.size() + " " + owned);
        System.out.flush();
    }
}
