package io.rlog.kafka;

import io.rlog.broker.ErrorCodes;
import io.rlog.node.InJvmCluster;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kafka transactions (the seed's exactly-once settings: a transactional.id on the producer, isolation.level
 * read_committed on the consumer) against a real 3-node cluster with the real kafka-clients library: commits are
 * seen, aborts are not, an open transaction holds read_committed readers at its first offset, offsets sent to a
 * transaction are committed with it, a second producer with the same id fences the first, and a transaction past
 * its timeout is aborted by the coordinator.
 */
class TransactionsTest {

    @TempDir
    static Path dir;
    static InJvmCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = new InJvmCluster(dir, 3, Map.of("group.initial.rebalance.delay.ms", "0",
                "offsets.topic.num.partitions", "3",
                "transaction.abort.timed.out.transaction.cleanup.interval.ms", "200"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("tx", 3, (short) 3), new NewTopic("held", 1, (short) 3),
                    new NewTopic("in", 2, (short) 3), new NewTopic("out", 2, (short) 3),
                    new NewTopic("zombie", 2, (short) 3), new NewTopic("slow", 1, (short) 3))).all().get();
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnlyAndReadUncommittedSeesAll() throws Exception {
        try (KafkaProducer<String, String> producer = producer("commit-abort", 60_000)) {
            producer.initTransactions();
            sendInTransaction(producer, "tx", "c", 10, true);
            sendInTransaction(producer, "tx", "a", 10, false);
            sendInTransaction(producer, "tx", "d", 5, true);
        }
        List<ConsumerRecord<String, String>> committedRecords = readAll("tx", "read_committed", 15);
        assertEquals(15, committedRecords.size());
        Set<String> committed = values(committedRecords);
        Set<String> expected = new TreeSet<>();
        for (int i = 0; i < 10; i++) {
            expected.add("c-" + i);
        }
        for (int i = 0; i < 5; i++) {
            expected.add("d-" + i);
        }
        assertEquals(expected, committed);
        // Uncommitted readers see the aborted records too, but never the markers.
        List<ConsumerRecord<String, String>> all = readAll("tx", "read_uncommitted", 25);
        assertEquals(25, all.size());
        assertEquals(25, values(all).size());
    }

    @Test
    void anOpenTransactionHoldsReadCommittedReadersAtItsFirstOffset() throws Exception {
        TopicPartition tp = new TopicPartition("held", 0);
        try (KafkaProducer<String, String> producer = producer("holder", 60_000);
             KafkaProducer<String, String> plain = plainProducer()) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("held", 0, "k", "open-0")).get();
            // A non-transactional write after the open transaction's first record.
            plain.send(new ProducerRecord<>("held", 0, "k", "plain-0")).get();
            try (KafkaConsumer<String, String> committed = consumer("read_committed", null);
                 KafkaConsumer<String, String> uncommitted = consumer("read_uncommitted", null)) {
                assertEquals(0L, committed.endOffsets(List.of(tp)).get(tp), "the last stable offset");
                assertEquals(2L, uncommitted.endOffsets(List.of(tp)).get(tp), "the high watermark");
                committed.assign(List.of(tp));
                committed.seekToBeginning(List.of(tp));
                assertTrue(committed.poll(Duration.ofMillis(1500)).isEmpty(),
                        "read_committed must not read past an open transaction");
                producer.commitTransaction();
                List<String> seen = new ArrayList<>();
                InJvmCluster.await("the committed records", 30_000, () -> {
                    committed.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
                    return seen.size() >= 2;
                });
                assertEquals(List.of("open-0", "plain-0"), seen);
                assertEquals(3L, committed.endOffsets(List.of(tp)).get(tp), "two records and the commit marker");
            }
        }
    }

    @Test
    void offsetsSentToATransactionAreCommittedWithItAndDroppedWithAnAbort() throws Exception {
        try (KafkaProducer<String, String> plain = plainProducer()) {
            for (int i = 0; i < 20; i++) {
                plain.send(new ProducerRecord<>("in", i % 2, "k" + i, "in-" + i));
            }
            plain.flush();
        }
        try (KafkaProducer<String, String> producer = producer("etl", 60_000);
             KafkaConsumer<String, String> input = consumer("read_committed", "etl-group")) {
            producer.initTransactions();
            input.subscribe(List.of("in"));
            int copied = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (copied < 20 && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = input.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                for (ConsumerRecord<String, String> r : records) {
                    producer.send(new ProducerRecord<>("out", r.partition(), r.key(), r.value().replace("in", "out")));
                    next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                producer.sendOffsetsToTransaction(next, input.groupMetadata());
                producer.commitTransaction();
                copied += records.count();
            }
            assertEquals(20, copied);
            // An aborted transaction's offsets never become the group's.
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("out", 0, "k", "never"));
            producer.sendOffsetsToTransaction(Map.of(new TopicPartition("in", 0), new OffsetAndMetadata(0)),
                    input.groupMetadata());
            producer.abortTransaction();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("etl-group")
                    .partitionsToOffsetAndMetadata().get();
            assertEquals(10L, offsets.get(new TopicPartition("in", 0)).offset());
            assertEquals(10L, offsets.get(new TopicPartition("in", 1)).offset());
        }
        Set<String> out = values(readAll("out", "read_committed", 20));
        assertEquals(20, out.size());
        assertTrue(out.stream().allMatch(v -> v.startsWith("out-")), out.toString());
    }

    @Test
    void aSecondProducerWithTheSameIdFencesTheFirstAndAbortsItsTransaction() throws Exception {
        KafkaProducer<String, String> zombie = producer("fenced", 60_000);
        try {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("zombie", 0, "k", "zombie-0")).get();
            try (KafkaProducer<String, String> successor = producer("fenced", 60_000)) {
                successor.initTransactions(); // aborts the zombie's open transaction
                sendInTransaction(successor, "zombie", "live", 4, true);
            }
            KafkaException thrown = assertThrows(KafkaException.class, zombie::commitTransaction);
            assertTrue(thrown instanceof ProducerFencedException || thrown instanceof InvalidProducerEpochException
                    || thrown.getCause() instanceof ProducerFencedException, thrown.toString());
        } finally {
            zombie.close(Duration.ofSeconds(5));
        }
        Set<String> seen = values(readAll("zombie", "read_committed", 4));
        assertEquals(Set.of("live-0", "live-1", "live-2", "live-3"), seen);
        assertEquals(5, readAll("zombie", "read_uncommitted", 5).size(), "the zombie's record is there, aborted");
    }

    @Test
    void theCoordinatorAbortsATransactionPastItsTimeout() throws Exception {
        TopicPartition tp = new TopicPartition("slow", 0);
        try (KafkaProducer<String, String> slow = producer("slow", 1_000)) {
            slow.initTransactions();
            slow.beginTransaction();
            slow.send(new ProducerRecord<>("slow", 0, "k", "late-0")).get();
            try (KafkaConsumer<String, String> committed = consumer("read_committed", null)) {
                // The abort marker moves the last stable offset past the abandoned record and its marker.
                InJvmCluster.await("the timed-out transaction's abort", 30_000,
                        () -> committed.endOffsets(List.of(tp)).get(tp) == 2L);
            }
            assertThrows(KafkaException.class, slow::commitTransaction);
        }
        try (KafkaProducer<String, String> next = producer("slow-next", 60_000)) {
            next.initTransactions();
            sendInTransaction(next, "slow", "on-time", 2, true);
        }
        assertEquals(Set.of("on-time-0", "on-time-1"), values(readAll("slow", "read_committed", 2)));
    }

    @Test
    void everyTransactionApiVersionAnswersOnTheWire() throws Exception {
        for (short i = 0; i <= 5; i++) {
            String id = "wire-v" + i;
            String group = "wire-group-v" + i;
            try (WireClient txn = new WireClient(coordinatorPort(id, (byte) 1));
                 WireClient groupCoordinator = new WireClient(coordinatorPort(group, (byte) 0))) {
                InitProducerIdResponseData init = txn.call(ApiKeys.INIT_PRODUCER_ID, i,
                        new InitProducerIdRequestData().setTransactionalId(id).setTransactionTimeoutMs(60_000));
                assertEquals(ErrorCodes.NONE, init.errorCode(), "InitProducerId v" + i);
                long pid = init.producerId();
                short epoch = init.producerEpoch();
                AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
                topics.add(new AddPartitionsToTxnTopic().setName("tx").setPartitions(List.of(0)));
                short addV = (short) Math.min(i, 3);
                AddPartitionsToTxnResponseData added = txn.call(ApiKeys.ADD_PARTITIONS_TO_TXN, addV,
                        new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(id)
                                .setV3AndBelowProducerId(pid).setV3AndBelowProducerEpoch(epoch)
                                .setV3AndBelowTopics(topics));
                assertEquals(ErrorCodes.NONE, added.resultsByTopicV3AndBelow().find("tx").resultsByPartition().find(0)
                        .partitionErrorCode(), "AddPartitionsToTxn v" + addV);
                short offV = (short) Math.min(i, 4);
                AddOffsetsToTxnResponseData offsets = txn.call(ApiKeys.ADD_OFFSETS_TO_TXN, offV,
                        new AddOffsetsToTxnRequestData().setTransactionalId(id).setProducerId(pid)
                                .setProducerEpoch(epoch).setGroupId(group));
                assertEquals(ErrorCodes.NONE, offsets.errorCode(), "AddOffsetsToTxn v" + offV);
                TxnOffsetCommitResponseData committed = groupCoordinator.call(ApiKeys.TXN_OFFSET_COMMIT, offV,
                        new TxnOffsetCommitRequestData().setTransactionalId(id).setGroupId(group).setProducerId(pid)
                                .setProducerEpoch(epoch).setTopics(List.of(new TxnOffsetCommitRequestTopic()
                                        .setName("tx").setPartitions(List.of(new TxnOffsetCommitRequestPartition()
                                                .setPartitionIndex(0).setCommittedOffset(1).setCommittedMetadata(""))))));
                assertEquals(ErrorCodes.NONE, committed.topics().get(0).partitions().get(0).errorCode(),
                        "TxnOffsetCommit v" + offV);
                // Before the commit marker the offset is pending: a stable fetch is refused, a plain one sees none.
                OffsetFetchResponseData unstable = groupCoordinator.call(ApiKeys.OFFSET_FETCH, (short) 7,
                        new OffsetFetchRequestData().setGroupId(group).setRequireStable(true).setTopics(List.of(
                                new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("tx")
                                        .setPartitionIndexes(List.of(0)))));
                assertEquals(ErrorCodes.UNSTABLE_OFFSET_COMMIT,
                        unstable.topics().get(0).partitions().get(0).errorCode());
                EndTxnResponseData ended = txn.call(ApiKeys.END_TXN, offV, new EndTxnRequestData()
                        .setTransactionalId(id).setProducerId(pid).setProducerEpoch(epoch).setCommitted(true));
                assertEquals(ErrorCodes.NONE, ended.errorCode(), "EndTxn v" + offV);
                OffsetFetchResponseData stable = groupCoordinator.call(ApiKeys.OFFSET_FETCH, (short) 7,
                        new OffsetFetchRequestData().setGroupId(group).setRequireStable(true).setTopics(List.of(
                                new OffsetFetchRequestData.OffsetFetchRequestTopic().setName("tx")
                                        .setPartitionIndexes(List.of(0)))));
                assertEquals(ErrorCodes.NONE, stable.topics().get(0).partitions().get(0).errorCode());
                assertEquals(1L, stable.topics().get(0).partitions().get(0).committedOffset());
            }
        }
    }

    @Test
    void badTransactionRequestsGetKafkasErrorsAndTheCoordinatorKeepsServing() throws Exception {
        String id = "bad-input";
        try (WireClient txn = new WireClient(coordinatorPort(id, (byte) 1))) {
            assertEquals(ErrorCodes.INVALID_TRANSACTION_TIMEOUT, txn.<InitProducerIdResponseData>call(
                    ApiKeys.INIT_PRODUCER_ID, (short) 4, new InitProducerIdRequestData().setTransactionalId(id)
                            .setTransactionTimeoutMs(0)).errorCode());
            assertEquals(ErrorCodes.INVALID_TRANSACTION_TIMEOUT, txn.<InitProducerIdResponseData>call(
                    ApiKeys.INIT_PRODUCER_ID, (short) 4, new InitProducerIdRequestData().setTransactionalId(id)
                            .setTransactionTimeoutMs(Integer.MAX_VALUE)).errorCode());
            // No such transactional id yet.
            assertEquals(ErrorCodes.INVALID_PRODUCER_ID_MAPPING, txn.<EndTxnResponseData>call(ApiKeys.END_TXN,
                    (short) 3, new EndTxnRequestData().setTransactionalId(id).setProducerId(5).setProducerEpoch((short) 0)
                            .setCommitted(true)).errorCode());
            InitProducerIdResponseData init = txn.call(ApiKeys.INIT_PRODUCER_ID, (short) 4,
                    new InitProducerIdRequestData().setTransactionalId(id).setTransactionTimeoutMs(60_000));
            assertEquals(ErrorCodes.NONE, init.errorCode());
            // Nothing was added: there is no transaction to end.
            assertEquals(ErrorCodes.INVALID_TXN_STATE, txn.<EndTxnResponseData>call(ApiKeys.END_TXN, (short) 3,
                    new EndTxnRequestData().setTransactionalId(id).setProducerId(init.producerId())
                            .setProducerEpoch(init.producerEpoch()).setCommitted(true)).errorCode());
            // An older epoch is fenced: PRODUCER_FENCED from v2, INVALID_PRODUCER_EPOCH before.
            short stale = (short) (init.producerEpoch() - 1);
            for (short v : new short[] {1, 2}) {
                short expected = v >= 2 ? ErrorCodes.PRODUCER_FENCED : ErrorCodes.INVALID_PRODUCER_EPOCH;
                assertEquals(expected, txn.<EndTxnResponseData>call(ApiKeys.END_TXN, v, new EndTxnRequestData()
                        .setTransactionalId(id).setProducerId(init.producerId()).setProducerEpoch(stale)
                        .setCommitted(false)).errorCode());
            }
            // An unknown topic: refused, and the rest of the request is not attempted.
            AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
            topics.add(new AddPartitionsToTxnTopic().setName("no-such-topic").setPartitions(List.of(0)));
            topics.add(new AddPartitionsToTxnTopic().setName("tx").setPartitions(List.of(0)));
            AddPartitionsToTxnResponseData added = txn.call(ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3,
                    new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(id)
                            .setV3AndBelowProducerId(init.producerId()).setV3AndBelowProducerEpoch(init.producerEpoch())
                            .setV3AndBelowTopics(topics));
            assertEquals(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, added.resultsByTopicV3AndBelow().find("no-such-topic")
                    .resultsByPartition().find(0).partitionErrorCode());
            assertEquals(ErrorCodes.OPERATION_NOT_ATTEMPTED, added.resultsByTopicV3AndBelow().find("tx")
                    .resultsByPartition().find(0).partitionErrorCode());
        }
        // A node that does not coordinate the id says so, and the client looks again.
        int coordinator = coordinatorPort(id, (byte) 1);
        for (int n = 1; n <= cluster.size(); n++) {
            if (cluster.node(n).kafkaPort() != coordinator) {
                try (WireClient other = new WireClient(cluster.node(n).kafkaPort())) {
                    assertEquals(ErrorCodes.NOT_COORDINATOR, other.<InitProducerIdResponseData>call(
                            ApiKeys.INIT_PRODUCER_ID, (short) 4, new InitProducerIdRequestData().setTransactionalId(id)
                                    .setTransactionTimeoutMs(60_000)).errorCode());
                }
                break;
            }
        }
    }

    /** The Kafka port of the coordinator of {@code key} (0: a group, 1: a transactional id), retried until known. */
    private static int coordinatorPort(String key, byte keyType) throws Exception {
        try (WireClient any = new WireClient(cluster.node(1).kafkaPort())) {
            FindCoordinatorResponseData[] last = new FindCoordinatorResponseData[1];
            InJvmCluster.await("a coordinator for " + key, 60_000, () -> {
                try {
                    last[0] = any.call(ApiKeys.FIND_COORDINATOR, (short) 3,
                            new FindCoordinatorRequestData().setKey(key).setKeyType(keyType));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return last[0].errorCode() == ErrorCodes.NONE;
            });
            return last[0].port();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void sendInTransaction(KafkaProducer<String, String> producer, String topic, String prefix, int n,
                                          boolean commit) {
        producer.beginTransaction();
        for (int i = 0; i < n; i++) {
            producer.send(new ProducerRecord<>(topic, "k" + i, prefix + "-" + i));
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static KafkaProducer<String, String> producer(String transactionalId, int timeoutMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return new KafkaProducer<>(p);
    }

    private static KafkaProducer<String, String> plainProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static KafkaConsumer<String, String> consumer(String isolation, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }

    /** Every record of {@code topic} from the beginning, read until {@code expected} came and a quiet second passed. */
    private static List<ConsumerRecord<String, String>> readAll(String topic, String isolation, int expected)
            throws InterruptedException {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = consumer(isolation, null)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            InJvmCluster.await(expected + " records of " + topic, 30_000, () -> {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
                return out.size() >= expected;
            });
            // Anything beyond what was expected (a record that should not be there) shows in the assertions.
            long quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < quietUntil) {
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    private static Set<String> values(List<ConsumerRecord<String, String>> records) {
        Set<String> out = new TreeSet<>();
        records.forEach(r -> out.add(r.value()));
        return out;
    }
}
