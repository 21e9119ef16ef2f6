package io.rlog.chaos.workload;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Properties;

/**
 * Client settings for chaos runs: every timeout is short and bounded, so that each operation completes (OK,
 * FAIL or INFO) within seconds of a fault, and the run's tail sees the healed cluster.
 */
public final class ClientConfigs {
    /** Bounds every blocking client call. */
    public static final int API_TIMEOUT_MS = 5_000;
    static final int REQUEST_TIMEOUT_MS = 3_000;
    /** A send is given up (INFO) after this; long enough to ride out a leader election. */
    static final int DELIVERY_TIMEOUT_MS = 10_000;
    /**
     * The coordinator aborts a transaction open longer than this. Short (Kafka's default is 60 s) so that the
     * transaction of a crashed instance that has no successor does not hold read_committed readers at its first
     * offset for long: the read_committed final read waits for every partition's last stable offset to reach
     * its log end ({@link FinalReader}), well beyond this plus rlog's 10 s abort sweep.
     */
    public static final int TRANSACTION_TIMEOUT_MS = 10_000;
    /** Bounds initTransactions, commitTransaction and abortTransaction (each may be called again after it). */
    static final int TRANSACTION_BLOCK_MS = 10_000;

    private ClientConfigs() {}

    public static Properties producer(String bootstrap, ProducerMode mode) {
        Properties p = common(bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, mode.acks().config());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, mode.idempotent());
        // Without idempotence only one batch in flight keeps per-partition order, so nonmonotonic-send stays
        // meaningful for every mode (it is still reported only as INFO for them).
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, mode.idempotent() ? 5 : 1);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, API_TIMEOUT_MS);
        p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return p;
    }

    /**
     * A transactional producer: its id stays the same across the worker's client crashes, so each new instance
     * fences the one before and aborts its open transaction in initTransactions, as a restarted application does.
     */
    public static Properties transactionalProducer(String bootstrap, String transactionalId) {
        Properties p = producer(bootstrap, ProducerMode.TRANSACTIONAL);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, TRANSACTION_TIMEOUT_MS);
        // initTransactions, commitTransaction and abortTransaction block up to max.block.ms; rlog answers EndTxn
        // after the markers are written, which takes one Raft commit per partition more than a send.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, TRANSACTION_BLOCK_MS);
        return p;
    }

    /** The final read at read_committed: no group, no reset, no records of aborted or open transactions. */
    public static Properties readCommittedConsumer(String bootstrap) {
        Properties p = consumer(bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    /** An assign-mode consumer: no group, no automatic reset (a reset must show up in the history). */
    public static Properties consumer(String bootstrap) {
        Properties p = common(bootstrap);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, API_TIMEOUT_MS);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return p;
    }

    /** A subscribe-mode consumer of {@code group} that commits by hand. */
    public static Properties groupConsumer(String bootstrap, String group) {
        Properties p = consumer(bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        return p;
    }

    private static Properties common(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("reconnect.backoff.ms", 100);
        p.put("reconnect.backoff.max.ms", 1_000);
        p.put("socket.connection.setup.timeout.ms", 2_000);
        p.put("socket.connection.setup.timeout.max.ms", 5_000);
        p.put("metadata.max.age.ms", 5_000);
        return p;
    }
}
