package io.rlog.kafka.group;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** kafka-clients 4.4 clients configured for group tests: short timeouts, so rebalances finish fast. */
final class GroupClients {
    /** The coordinator's lowest session timeout in these tests (the node's group.min.session.timeout.ms). */
    static final int SESSION_TIMEOUT_MS = 6_000;

    private GroupClients() {}

    static Map<String, String> nodeSettings() {
        return Map.of("group.initial.rebalance.delay.ms", "0", "offsets.topic.num.partitions", "4");
    }

    static Properties consumerProps(String bootstrap, String group, String assignor) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 20_000);
        p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        if (assignor != null) {
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignorClass(assignor));
        }
        return p;
    }

    /** The Java client's class for an assignor's protocol name. */
    static String assignorClass(String protocol) {
        return switch (protocol) {
            case "range" -> org.apache.kafka.clients.consumer.RangeAssignor.class.getName();
            case "roundrobin" -> org.apache.kafka.clients.consumer.RoundRobinAssignor.class.getName();
            case "sticky" -> org.apache.kafka.clients.consumer.StickyAssignor.class.getName();
            case "cooperative-sticky" -> org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName();
            default -> throw new IllegalArgumentException(protocol);
        };
    }

    static KafkaConsumer<String, String> consumer(String bootstrap, String group, String assignor) {
        return new KafkaConsumer<>(consumerProps(bootstrap, group, assignor));
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return new KafkaProducer<>(p);
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    /** Writes {@code count} records "k{i}" → "v{i}" spread over {@code partitions}, round robin, acks=all. */
    static void produce(String bootstrap, String topic, int partitions, int from, int count) throws Exception {
        try (KafkaProducer<String, String> p = producer(bootstrap)) {
            for (int i = from; i < from + count; i++) {
                p.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i));
            }
            p.flush();
        }
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
}
