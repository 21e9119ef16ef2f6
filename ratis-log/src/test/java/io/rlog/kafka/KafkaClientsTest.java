package io.rlog.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Unmodified kafka-clients 4.4 (Admin, producer, consumer) against the listener over the in-memory broker. */
class KafkaClientsTest extends ListenerFixture {
    private static final long TIMEOUT_S = 30;
    private String bootstrap;

    @BeforeEach
    void startListener() throws Exception {
        bootstrap = "127.0.0.1:" + start(testConfig()).port();
    }

    @Test
    void adminCreatesProducerWritesThousandLz4RecordsConsumerReadsThemInOrder() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1)
                    .configs(Map.of("retention.ms", "3600000")))).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            TopicDescription description = admin.describeTopics(List.of("orders")).allTopicNames()
                    .get(TIMEOUT_S, TimeUnit.SECONDS).get("orders");
            assertEquals(2, description.partitions().size());
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
            Config config = admin.describeConfigs(List.of(resource)).all().get(TIMEOUT_S, TimeUnit.SECONDS).get(resource);
            assertEquals("3600000", config.get("retention.ms").value());
        }

        int count = 1000;
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig())) {
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>("orders", i % 2, "k" + i, "value-" + i)));
            }
            producer.flush();
        }
        Map<Integer, Long> nextOffset = new HashMap<>(Map.of(0, 0L, 1, 0L));
        for (Future<RecordMetadata> future : sent) {
            RecordMetadata metadata = future.get(TIMEOUT_S, TimeUnit.SECONDS);
            assertEquals(nextOffset.get(metadata.partition()), metadata.offset()); // sent order = offset order
            nextOffset.merge(metadata.partition(), 1L, Long::sum);
        }

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(500))) {
            List<TopicPartition> partitions = List.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (received.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
            }
        }
        assertEquals(count, received.size());
        Map<Integer, Integer> lastIndex = new HashMap<>(Map.of(0, -2, 1, -1));
        for (ConsumerRecord<String, String> record : received) {
            int index = Integer.parseInt(record.value().substring("value-".length()));
            assertEquals(lastIndex.get(record.partition()) + 2, index, "out of order in partition " + record.partition());
            assertEquals("k" + index, record.key());
            assertEquals(index / 2, record.offset());
            lastIndex.put(record.partition(), index);
        }
    }

    @Test
    void aParkedConsumerFetchIsAnsweredByALaterProduce() throws Exception {
        broker.createNow("waiting", 1, Map.of());
        TopicPartition partition = new TopicPartition("waiting", 0);
        // fetch.max.wait.ms far above the time the test allows: only the long poll waking can deliver in time.
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(25_000));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            CompletableFuture<Long> producedAtNanos = CompletableFuture.supplyAsync(() -> {
                try {
                    await(Duration.ofSeconds(TIMEOUT_S), "the consumer's fetch to park", () -> broker.waiterCount() > 0);
                    producer.send(new ProducerRecord<>("waiting", "late")).get(TIMEOUT_S, TimeUnit.SECONDS);
                    return System.nanoTime();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<ConsumerRecord<String, String>> received = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofSeconds(1)).forEach(received::add);
            }
            long receivedAtNanos = System.nanoTime();
            assertEquals(1, received.size());
            assertEquals("late", received.get(0).value());
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(receivedAtNanos - producedAtNanos.get());
            assertTrue(waitedMs < 10_000, "record arrived " + waitedMs + " ms after the produce");
        } finally {
            // The consumer's next fetch is parked and its close request queues behind it: do not wait for it.
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    @Test
    void adminListsAndDeletesTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("doomed", 1, (short) 1), new NewTopic("kept", 1, (short) 1)))
                    .all().get(TIMEOUT_S, TimeUnit.SECONDS);
            assertEquals(Set.of("doomed", "kept"), admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS));
            admin.deleteTopics(List.of("doomed")).all().get(TIMEOUT_S, TimeUnit.SECONDS);
            assertEquals(Set.of("kept"), admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS));
            assertFalse(broker.cluster().topics().containsKey("doomed"));
            assertEquals(1, admin.describeCluster().nodes().get(TIMEOUT_S, TimeUnit.SECONDS).size());
        }
    }

    private Properties producerConfig() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return props;
    }

    private Properties consumerConfig(int fetchMaxWaitMs) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Integer.toString(fetchMaxWaitMs));
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "40000");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return props;
    }
}
