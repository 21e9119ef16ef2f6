package io.rlog.it;

import io.rlog.it.RlogCommand.Run;
import io.rlog.coordinator.OffsetsTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transactions on a cluster of real `rlog server` processes: `rlog produce --transactional-id` commits all of its
 * input or none of it, as `rlog consume --isolation-level read_committed` sees; and a transaction whose coordinator's
 * node is SIGKILLed while it is open commits through the next coordinator, whole and once. The kill comes last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransactionsProcessTest extends ProcessClusterTest {

    static Run rlog(String stdin, String... args) {
        return RlogCommand.run(stdin, args);
    }

    static String lastLine(String text) {
        List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Test
    @Order(1)
    void rlogProducesAllOfItsInputAsOneTransactionOrNoneOfIt() throws Exception {
        createTopic("cli-txn", 2, 3);
        String b = cluster.bootstrapServers();
        Run committed = rlog("a\nb\nc\nd\ne\n", "produce", "--bootstrap", b, "--topic", "cli-txn",
                "--transactional-id", "cli-producer");
        assertEquals(0, committed.exit(), committed.err());
        assertEquals("produced=5 failed=0 transaction=committed", lastLine(committed.err()));
        // The third line has no key separator: the two records before it were written, then aborted with it.
        Run aborted = rlog("k:x\nk:y\nnot-a-pair\nk:z\n", "produce", "--bootstrap", b, "--topic", "cli-txn",
                "--transactional-id", "cli-producer", "--key-separator", ":");
        assertEquals(1, aborted.exit(), aborted.err());
        assertTrue(lastLine(aborted.err()).endsWith("transaction=aborted"), aborted.err());
        assertTrue(lastLine(aborted.err()).startsWith("produced=0 "), aborted.err());

        Run readCommitted = rlog("", "consume", "--bootstrap", b, "--topic", "cli-txn", "--from-beginning",
                "--isolation-level", "read_committed", "--timeout-ms", "3000");
        assertEquals(Set.of("a", "b", "c", "d", "e"), new HashSet<>(readCommitted.out().lines().toList()),
                readCommitted.err());
        assertEquals(5, readCommitted.out().lines().count());
        Run readUncommitted = rlog("", "consume", "--bootstrap", b, "--topic", "cli-txn", "--from-beginning",
                "--timeout-ms", "3000");
        assertEquals(Set.of("a", "b", "c", "d", "e", "x", "y"), new HashSet<>(readUncommitted.out().lines().toList()),
                "read_uncommitted also sees the aborted records; " + readUncommitted.err());

        Run bad = rlog("", "consume", "--bootstrap", b, "--topic", "cli-txn", "--isolation-level", "serializable");
        assertEquals(2, bad.exit(), bad.err());
        assertTrue(bad.err().contains("--isolation-level must be read_uncommitted or read_committed"), bad.err());
        Run acksOne = rlog("a\n", "produce", "--bootstrap", b, "--topic", "cli-txn", "--transactional-id", "t",
                "--acks", "1");
        assertEquals(2, acksOne.exit(), acksOne.err());
        assertTrue(acksOne.err().contains("a transactional producer needs --acks all"), acksOne.err());
    }

    /**
     * One producer commits 100 transactions of 10 records over 3 partitions, one after another: every record is read
     * once at read_committed. Prints the time commitTransaction took (EndTxn: the Prepare record, a marker per
     * partition, the Complete record), as a figure for the README, not an assertion.
     */
    @Test
    @Order(2)
    void aHundredTransactionsInARowAreReadWholeAndOnce() throws Exception {
        String topic = "txn-many";
        createTopic(topic, 3, 3);
        int transactions = 100;
        int perTransaction = 10;
        long[] commitMicros = new long[transactions];
        try (KafkaProducer<String, String> producer = producer("many")) {
            producer.initTransactions();
            for (int t = 0; t < transactions; t++) {
                producer.beginTransaction();
                for (int i = 0; i < perTransaction; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 3, "k" + i, "t" + t + "-" + i));
                }
                producer.flush();
                long start = System.nanoTime();
                producer.commitTransaction();
                commitMicros[t] = (System.nanoTime() - start) / 1_000;
            }
        }
        java.util.Arrays.sort(commitMicros);
        System.out.printf("figure: commitTransaction of %d records on 3 partitions (RF 3), %d in a row: p50 %.1f ms,"
                        + " p90 %.1f ms, max %.1f ms%n", perTransaction, transactions,
                commitMicros[transactions / 2] / 1000.0, commitMicros[transactions * 9 / 10] / 1000.0,
                commitMicros[transactions - 1] / 1000.0);
        List<String> values = readCommitted(topic, 3, transactions * perTransaction);
        assertEquals(transactions * perTransaction, values.size(), "each record once");
        assertEquals(transactions * perTransaction, new HashSet<>(values).size());
    }

    /**
     * The coordinator's node dies while the transaction is open: the producer's commit finds the next coordinator
     * (the new leader of the id's offsets partition, which has the transaction's record) and completes; every record
     * is read once at read_committed. Prints how long the commit took after the kill.
     */
    @Test
    @Order(3)
    void anOpenTransactionCommitsThroughTheNextCoordinatorAfterASigkill() throws Exception {
        String topic = "txn-kill";
        String id = "survives-coordinator-kill";
        int total = 300;
        createTopic(topic, 3, 3);
        int killed = -1;
        try (KafkaProducer<String, String> producer = producer(id)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < total; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
            killed = coordinatorOf(id);
            long killedAt = System.nanoTime();
            cluster.kill(killed);
            producer.commitTransaction();
            System.out.printf("figure: transaction coordinator SIGKILL -> the open transaction committed: %d ms%n",
                    (System.nanoTime() - killedAt) / 1_000_000);
        } finally {
            if (killed > 0) {
                cluster.restart(killed);
            }
        }
        List<String> values = readCommitted(topic, 3, total);
        assertEquals(total, values.size(), "each record once");
        assertEquals(total, new HashSet<>(values).size());
    }

    /** The node that leads the offsets partition of {@code transactionalId} (its transaction coordinator). */
    static int coordinatorOf(String transactionalId) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(OffsetsTopic.NAME)).allTopicNames().get()
                .get(OffsetsTopic.NAME);
        return d.partitions().get(OffsetsTopic.partitionFor(transactionalId, d.partitions().size())).leader().id();
    }

    static KafkaProducer<String, String> producer(String transactionalId) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 120_000);
        return new KafkaProducer<>(p);
    }

    /** Every value of {@code topic} at read_committed, once {@code expected} came and two quiet seconds passed. */
    static List<String> readCommitted(String topic, int partitions, int expected) throws InterruptedException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < partitions; i++) {
                tps.add(new TopicPartition(topic, i));
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline
                    && (values.size() < expected || System.nanoTime() - quietSince < Duration.ofSeconds(2).toNanos())) {
                int before = values.size();
                c.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                if (values.size() != before) {
                    quietSince = System.nanoTime();
                }
            }
        }
        return values;
    }
}
